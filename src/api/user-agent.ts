// Default User-Agent naming the tool and its version, so data.gouv.fr operators know who calls. Pure.
import pkg from '../../package.json' with { type: 'json' };

export const DEFAULT_USER_AGENT = `${pkg.name}/${pkg.version} (PostgreSQL mirror of data.gouv.fr; Node.js ${process.version})`;
