/**
 * The one error type every construct throws for bad props.
 *
 * The message always reads `<construct path>: <prop> <value> <problem>; <fix>`, for example
 * `chat/backend: port 70000 is out of range; use a port between 1 and 65535`, so the person who wrote the
 * app file knows which construct, which prop and what to write instead, without reading the library.
 */
export class PlatformValidationError extends Error {
  /**
   * @param constructPath path of the construct whose props are wrong (`<chart>/<id>`)
   * @param prop the prop, dotted for nested props (`replicas.min`)
   * @param problem what is wrong, including the offending value
   * @param fix what to write instead
   */
  constructor(
    public readonly constructPath: string,
    public readonly prop: string,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(`${constructPath}: ${prop} ${problem}; ${fix}`);
    this.name = 'PlatformValidationError';
  }
}
