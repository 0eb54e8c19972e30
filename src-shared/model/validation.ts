import type { z } from 'zod';

/** Renders a path the way a user would write it: `configs[0].endpoints[1].base_url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * One line per problem, each naming the bad field: `policy.failure_threshold: must be at least 1 failures`.
 * `root` prefixes every path (e.g. the command or file the value came from).
 */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      const where = [root, path].filter(Boolean).join(root && path && !path.startsWith('[') ? '.' : '');
      const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}
