import { describe, expect, it } from 'vitest';
import { loadConfig, loadSettings } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadSettings({})).toMatchObject({
      DATABASE_URL: undefined,
      MIRROR_DATA_DIR: './data',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATAGOUV_BASE_URL: 'https://www.data.gouv.fr',
      LOG_LEVEL: 'info',
      DATAGOUV_API_KEY: undefined,
    });
  });
  it('reports every bad key at once in one message', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DATAGOUV_PAGE_SIZE: '0' })).toThrow(
      /DATABASE_URL.*LOG_LEVEL.*DATAGOUV_PAGE_SIZE|DATABASE_URL.*DATAGOUV_PAGE_SIZE.*LOG_LEVEL/,
    );
  });
  it('requires DATABASE_URL where no embedded server is started for it', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL is not set/);
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' }).DATABASE_URL).toBe('postgres://h/db');
  });
  it('names each bad value by its label (the flag it came from)', () => {
    expect(() => loadSettings({ LOG_LEVEL: 'loud' }, { LOG_LEVEL: '--log-level' })).toThrow(/^Invalid configuration: --log-level .*"loud"/);
  });
  it('strips the trailing slash of the base URL and keeps the key', () => {
    const config = loadSettings({ DATAGOUV_API_KEY: 'secret-key', DATAGOUV_BASE_URL: 'http://127.0.0.1:1/' });
    expect(config.DATAGOUV_BASE_URL).toBe('http://127.0.0.1:1');
    expect(config.DATAGOUV_API_KEY).toBe('secret-key');
  });
  it('never shows the API key in an error message', () => {
    expect(() => loadSettings({ DATAGOUV_API_KEY: 'secret-key', LOG_LEVEL: 'loud' })).toThrow(/^(?!.*secret-key)/s);
  });
  it('never shows the API key in a logged configuration', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    const config = loadSettings({ DATAGOUV_API_KEY: 'secret-key' });
    logger.info({ config }, 'configured');
    logger.info({ headers: { 'x-api-key': 'secret-key' } }, 'request');
    logger.info({ err: new Error('failed'), apiKey: config.DATAGOUV_API_KEY }, 'with an error');
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toContain('secret-key');
  });
});
