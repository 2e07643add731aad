// Files shipped with the package, found from the running module (src/cli/ or dist/node/: both two levels down).
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const defaultModelPath = `${packageRoot}models/zoo/sensor-activity`;
export const defaultRecordingsPath = `${packageRoot}devices/sensors/recordings.json`;
