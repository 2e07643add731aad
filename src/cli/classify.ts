// Placeholder created by the MQTT/CLI engineer so that `s7rt classify` dispatches; the event-camera
// engineer (issue 5) replaces this file with the real command.
export async function classifyCommand(argv: string[]): Promise<number> {
  void argv;
  throw new Error('s7rt classify: not built yet (issue 5)');
}
