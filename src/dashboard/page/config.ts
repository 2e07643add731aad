// What the server tells the page (GET config.json): where the broker, runtime and models are.
export interface PageConfig {
  /** ws:// URL of the MQTT broker's WebSocket listener */
  brokerWsUrl: string;
  /** URL of the runtime's browser build (ESM exporting loadModel/createRuntime) */
  runtimeUrl: string;
  /** model id -> package folder URL (ends with /) */
  models: Record<string, string>;
  /** model used for sensor streams in browser-only mode */
  sensorModel: string;
  /** event-token model that classifies recordings played in the event view (loaded on first use) */
  gestureModel?: string;
  samplesTopic?: string;
  predictionsTopic?: string;
  /** s7ev event packets from cameras, `+` = camera id (default events/+) */
  eventsTopic?: string;
}
