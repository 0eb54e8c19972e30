/**
 * Transpiles the child processes (and everything they import from this repo)
 * to plain JavaScript in a temp directory, so they run on bare `node` the way
 * production runs built code. Under `--import tsx` every process also carries
 * tsx's module-loader thread (a second V8 isolate, ~35–40 MiB of RSS at idle),
 * which would be charged to the proxy's memory.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  sourceMap: false,
};

/** A temp copy of the children as JavaScript; `path()` maps a repo-relative `.ts` path to its `.js`. */
export interface CompiledChildren {
  path(repoRelativeTs: string): string;
  dispose(): void;
}

/** Transpiles `entries` (repo-relative .ts paths) and, following relative imports, all they use. */
export function compileChildren(entries: readonly string[]): CompiledChildren {
  const outDir = mkdtempSync(join(tmpdir(), 'qcc-bench-js-'));
  // ESM like the repo, and bare imports (undici, zod) resolve through the repo's node_modules.
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module", "private": true }\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');

  const queue = entries.map((entry) => resolve(repoRoot, entry));
  const done = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const imported of ts.preProcessFile(source, true, false).importedFiles) {
      const spec = imported.fileName;
      if (spec.startsWith('.') && spec.endsWith('.js')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
    const output = ts.transpileModule(source, { compilerOptions: OPTIONS, fileName: file, reportDiagnostics: false });
    const target = join(outDir, relative(repoRoot, file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }

  return {
    path: (repoRelativeTs) => join(outDir, repoRelativeTs.replace(/\.ts$/, '.js')),
    dispose: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
