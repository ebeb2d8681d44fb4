/**
 * `--companies <file>`: the companies one daemon serves, as JSON or YAML.
 * Credentials are named by environment variable, never written inline, so
 * the file can be committed and shown in logs without leaking a secret.
 *
 * ```yaml
 * companies:
 *   - companyId: 6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10
 *     tokenEnv: PLEO_TOKEN_NORDLYS
 *   - companyId: 2b8e6d4c-1a3f-4b5d-8e7f-9a0b1c2d3e4f
 *     apiKeyEnv: PLEO_KEY_FJORD
 *   - companyId: 9c0d1e2f-3a4b-4c5d-9e6f-7a8b9c0d1e2f  # the organisation --token
 * ```
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { PleoCredentials } from '../pleo/credentials.js';
import { UsageError } from './flags.js';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const CompanyEntrySchema = z
  .strictObject({
    companyId: z.string().min(1),
    tokenEnv: envName.optional(),
    apiKeyEnv: envName.optional(),
    name: z.string().optional(),
  })
  .refine((entry) => !(entry.tokenEnv && entry.apiKeyEnv), 'give tokenEnv or apiKeyEnv, not both');

const FileSchema = z.union([
  z.strictObject({ companies: z.array(CompanyEntrySchema).min(1) }),
  z.array(CompanyEntrySchema).min(1),
]);

export interface CompanyConfig {
  companyId: string;
  credentials?: PleoCredentials;
}

export async function loadCompaniesFile(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<CompanyConfig[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`--companies: cannot read '${file}'.`);
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch {
    const format = file.endsWith('.json') ? 'JSON' : 'YAML';
    throw new UsageError(`--companies: '${file}' is not valid ${format}.`);
  }
  refuseInlineSecrets(data, file);

  const parsed = FileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(file)';
    throw new UsageError(`--companies: '${file}': ${where} ${issue.message}.`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.companies;
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (seen.has(entry.companyId)) {
      throw new UsageError(`--companies: company ${entry.companyId} is listed twice.`);
    }
    seen.add(entry.companyId);
    const variable = entry.tokenEnv ?? entry.apiKeyEnv;
    if (!variable) return { companyId: entry.companyId };
    const value = env[variable];
    if (!value) {
      throw new UsageError(
        `--companies: environment variable ${variable} (company ${entry.companyId}) is not set.`,
      );
    }
    return {
      companyId: entry.companyId,
      credentials: entry.tokenEnv ? { token: value } : { apiKey: value },
    };
  });
}

function refuseInlineSecrets(data: unknown, file: string): void {
  const entries = Array.isArray(data)
    ? data
    : (data as { companies?: unknown } | null)?.companies;
  if (!Array.isArray(entries)) return;
  entries.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    for (const key of ['token', 'apiKey', 'secret', 'password']) {
      if (key in entry) {
        const field = key === 'apiKey' ? 'apiKeyEnv' : 'tokenEnv';
        throw new UsageError(
          `--companies: '${file}': companies.${index}.${key} is an inline secret; `
            + `put it in an environment variable and name it with ${field}.`,
        );
      }
    }
  });
}
