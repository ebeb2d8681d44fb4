/**
 * An answer that is an error, thrown by route handlers and turned into a JSON
 * body `{ type, message }` by the server. `type` is the stable field clients
 * branch on, as Pleo's own error bodies do.
 */
export class ApiProblem extends Error {
  override name = 'ApiProblem' as const;
  readonly status: number;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }

  toBody(): { type: string; message: string } {
    return { type: this.type, message: this.message };
  }
}

export const badRequest = (type: string, message: string): ApiProblem =>
  new ApiProblem(400, type, message);

export const notFound = (type: string, message: string): ApiProblem =>
  new ApiProblem(404, type, message);

export const jobNotFound = (jobId: string): ApiProblem =>
  notFound('EXPORT_JOB_NOT_FOUND', `No export job with id ${jobId}.`);
