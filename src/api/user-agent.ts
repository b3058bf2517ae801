// Default User-Agent naming the tool and its version, so data.gouv.fr operators know who calls. Pure
// apart from the package.json read once by version.ts (not imported as a JSON module: compiled, it would be copied into dist/).
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.ts';

export const DEFAULT_USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION} (PostgreSQL mirror of data.gouv.fr; Node.js ${process.version})`;
