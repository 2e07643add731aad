// Help texts: `s7rt --help`, `s7rt run --help`, `s7rt demo --help`.

export const mainHelp = `s7rt — real-time inference for S7 state-space models

Usage:
  s7rt demo [options]        embedded broker + simulated sensors + live predictions (start here)
  s7rt run --model <pkg> [options]
                             subscribe to sensor samples over MQTT, publish a prediction per sample
  s7rt serve --broker <ws-url>
                             the dashboard page for a running broker's WebSocket listener
  s7rt classify <recording>  classify an event-camera recording
  s7rt <command> --help      options of one command

Docs: docs/mqtt.md (topics, payloads, delivery guarantees), docs/model-package.md`;

const runOptions = `Model and broker:
  --model <dir>              model package folder (manifest.json, step.onnx, chunk.onnx, golden.json)
  --broker <url>             mqtt://host:1883, mqtts://, ws://, wss://; omitted: start an embedded
                             broker on loopback (MQTT over TCP and WebSocket) and print its URLs
  --protocol 4|5             MQTT 3.1.1 or 5 (default 5; 4 with the embedded broker)
  --client-id <id>           fixed client id of the persistent session (default s7rt-<model id>);
                             the broker queues QoS 1 samples for it while s7rt is down
  --username <u> --password <p>
  --workers <n>|auto         runtime worker threads; 0 runs the model on the main thread (no
                             thread hop). auto (default): 0 on machines with 2 CPUs or fewer,
                             where a worker competes with the broker for the cores, else 1
  --backend auto|native|wasm ONNX Runtime build: native (onnxruntime-node) or wasm
                             (onnxruntime-web); auto = native where it is installed (default)

Topics and payloads:
  --subscribe <filter>       sample topics, repeatable (default sensors/+/imu)
  --device-pattern <p>       where the device key is, e.g. sensors/{device}/imu
                             (default: the first + of the first --subscribe filter)
  --device-from topic|payload
                             take the device key from the topic (default) or the payload's "device"
  --publish <template>       prediction topic (default predictions/{device})
  --dead-letter <topic>      rejected samples with their reason (default s7rt/dead-letter)
  --format json|binary       json: {"seq": n, "t": ms, "values": [...]}; binary: float64 LE seq,
                             float64 LE t (NaN = none), input.size float32 LE (default json)
  --max-payload <bytes>      larger payloads are dead-lettered (default 65536)
  --qos 0|1                  subscription and prediction QoS (default 1)

Delivery and durability:
  --max-inflight <n>         samples received and not yet acked; beyond it s7rt stops reading
                             (default 2048; also sent as MQTT 5 receive maximum)
  --batch <n>                most samples of one device per runtime call (default 64)
  --snapshot-dir <dir>       write all streams' states + last seqs there, atomically; restored on
                             start. With it, a sample is acked only once a snapshot covers it, so a
                             crash loses nothing and applies nothing twice
  --snapshot-interval <s>    seconds between snapshots (default 1); also written on SIGINT/SIGTERM

Observability:
  --health-port <port>       HTTP /healthz, /readyz, /metrics (Prometheus) on 127.0.0.1 (0 = any port)
  --status-interval <s>      seconds between status lines (default 5; 0 = none)
  --quiet                    no progress or status output
  --config <file.json>       options as JSON, keys = long option names ({"broker": "...",
                             "snapshot-dir": "..."}); the command line wins
  -h, --help                 this text`;

export const runHelp = `Usage: s7rt run --model <dir> [--broker <url>] [options]

${runOptions}`;

export const demoHelp = `Usage: s7rt demo [options]

Starts an embedded broker, simulated IMU sensors replaying devices/sensors/recordings.json, and the
runtime with models/zoo/sensor-activity; prints live predictions and their accuracy against the
simulator's ground truth. Ctrl-C stops everything.

Demo options:
  --devices <n>              simulated sensors (default 8)
  --rate <hz>                samples per second per sensor (default: the recordings' rate)
  --segment-seconds <s>      each sensor switches activity every s seconds (default 10; 0 = never)
  --duration <s>             stop after s seconds (default: run until Ctrl-C)
  --dashboard-port <port>    port of the dashboard page on 127.0.0.1 (default: any free port)
  --recordings <file>        recordings JSON (default devices/sensors/recordings.json)

All \`s7rt run\` options apply as well (--model defaults to models/zoo/sensor-activity):

${runOptions}`;

export const serveHelp = `Usage: s7rt serve --broker <ws-url> [options]

Serves the dashboard page (live signals, predictions, event cameras; docs/dashboard.md) for a broker
that is already running, e.g. Mosquitto with a WebSocket listener next to \`s7rt run\`. The page
subscribes to the broker itself; in its browser-only mode it runs the zoo model in a Web Worker.

Options:
  --broker <url>             the broker's WebSocket URL as the browser reaches it (ws:// or wss://)
  --port <port>              port of the page (default: any free port)
  --host <host>              interface to listen on (default 127.0.0.1)
  --model <id>               zoo model for browser-only mode (default sensor-activity)
  --samples-topic <filter>   sample topics, + = device (default sensors/+/imu)
  --predictions-topic <filter>
                             prediction topics, + = device (default predictions/+)
  --events-topic <filter>    s7ev event packets, + = camera (default events/+)
  --config <file.json>       options as JSON, keys = long option names
  -h, --help                 this text`;
