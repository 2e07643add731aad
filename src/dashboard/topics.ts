// MQTT topic patterns with one `+` wildcard standing for the device id.

/** The device id matched by the `+` in `pattern`, or undefined when `topic` does not match. */
export function deviceFromTopic(pattern: string, topic: string): string | undefined {
  const want = pattern.split('/');
  const got = topic.split('/');
  if (want.length !== got.length) return undefined;
  let device: string | undefined;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '+') device = got[i];
    else if (want[i] !== got[i]) return undefined;
  }
  return device;
}
