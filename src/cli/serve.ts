// `s7rt serve`: the dashboard page for a broker that is already running (s7rt run against
// Mosquitto, say): the page subscribes over the broker's WebSocket listener.
import { ConfigError } from '../mqtt/errors';
import { startDashboardServer } from '../dashboard/server';
import { int, parseCommandLine, serveOptionSpec, str } from './args';
import { serveHelp } from './help';
import { untilSignal } from './run';

export async function serveCommand(argv: string[]): Promise<number> {
  const raw = parseCommandLine(argv, serveOptionSpec);
  if (raw.help) {
    console.log(serveHelp);
    return 0;
  }
  const broker = str(raw, 'broker');
  if (!broker) throw new ConfigError('--broker', 'required: the broker\'s WebSocket URL as the browser reaches it, e.g. ws://localhost:8080');
  if (!/^wss?:\/\//.test(broker)) throw new ConfigError('--broker', `"${broker}" is not a ws:// or wss:// URL (browsers speak MQTT over WebSocket only)`);
  const server = await startDashboardServer({
    brokerWsUrl: broker,
    port: int(raw, 'port', 0, 0),
    host: str(raw, 'host'),
    sensorModel: str(raw, 'model'),
    samplesTopic: str(raw, 'samples-topic'),
    predictionsTopic: str(raw, 'predictions-topic'),
    eventsTopic: str(raw, 'events-topic'),
  });
  console.log(`s7rt: dashboard for ${broker} at ${server.url}`);
  const signal = await untilSignal();
  console.log(`s7rt: ${signal}: stopping`);
  await server.close();
  return 0;
}
