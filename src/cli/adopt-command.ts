/**
 * `pleo-export adopt <jobId>`: tells a running daemon that a job whose claim
 * outcome is unknown is its own, so it resumes and finishes it.
 */
import { request } from 'undici';
import { UsageError, parseFlags, pick } from './flags.js';
import type { CliIo } from './main.js';
import { EXIT, reportStartupError } from './run-command.js';

const ADOPT_USAGE = `Usage: pleo-export adopt <jobId> [--url URL]

Asks a running 'pleo-export run' to take over a job whose claim outcome is
unknown (listed under unknownClaims in its /status). The daemon resumes the
job if Pleo shows it in progress, without sending a new 'started'.

Only adopt a job when no other worker can be processing it: adopting a job
another worker holds exports it twice.

--url defaults to PLEO_EXPORT_URL or http://127.0.0.1:8080.
Exit codes: 0 adopted, 1 refused or unreachable, 2 bad usage.
`;

export async function adoptCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseFlags(args, {
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(ADOPT_USAGE);
      return EXIT.ok;
    }
    const [jobId, ...extra] = positionals;
    if (jobId === undefined || extra.length > 0) {
      throw new UsageError('adopt takes exactly one job id: pleo-export adopt <jobId>');
    }
    const base = pick(values.url, io.env, 'PLEO_EXPORT_URL') ?? 'http://127.0.0.1:8080';
    const answer = await request(new URL('/adopt', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobId }),
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot reach the daemon at ${base}: ${reason}`);
    });
    const body = await answer.body.text();
    return explain(answer.statusCode, body, jobId, io);
  } catch (error) {
    return reportStartupError(error, io);
  }
}

function explain(status: number, body: string, jobId: string, io: CliIo): number {
  if (status === 202) {
    io.stdout.write(`adopted ${jobId}: the daemon resumes it if Pleo shows it in progress\n`);
    return EXIT.ok;
  }
  if (status === 404) {
    io.stderr.write('pleo-export: this daemon does not offer /adopt; upgrade it.\n');
    return EXIT.failure;
  }
  if (status === 400) {
    io.stderr.write(`pleo-export: '${jobId}' is not a job id the daemon accepts: ${body}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`pleo-export: the daemon refused to adopt ${jobId} (${status}): ${body}\n`);
  return EXIT.failure;
}
