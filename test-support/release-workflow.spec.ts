import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The release workflow only runs on GitHub; these checks catch a broken
// trigger, a missing platform or a runner packaging the wrong platform here.

// js-yaml ships without types; it is installed as electron-builder's YAML parser.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}

interface Workflow {
  // js-yaml reads the `on:` key as the string "on" (YAML 1.2 core schema).
  on: { push?: { tags?: string[] }; workflow_dispatch?: unknown };
  jobs: Record<string, Job>;
}

async function loadWorkflow(): Promise<Workflow> {
  return yaml.load(await readFile(new URL('../.github/workflows/release.yml', import.meta.url), 'utf8')) as Workflow;
}

/** Substitutes `${{ matrix.key }}` the way Actions does for one matrix entry. */
function expandMatrix(text: string, entry: Record<string, string>): string {
  return text.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_match, key: string) => entry[key] ?? `<missing matrix.${key}>`);
}

/** The matrix job: the one whose runner comes from the matrix. */
function packageJob(workflow: Workflow): Job {
  const job = Object.values(workflow.jobs).find((candidate) => candidate.strategy?.matrix.include !== undefined);
  if (!job) throw new Error('release.yml has no matrix job');
  return job;
}

const PLATFORM_FLAG: Record<string, string> = { 'macos-latest': '--mac', 'windows-latest': '--win', 'ubuntu-latest': '--linux' };

describe('.github/workflows/release.yml', () => {
  it('runs on version tags and by hand', async () => {
    const workflow = await loadWorkflow();
    expect(workflow.on.push?.tags).toEqual(['v*']);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
  });

  it('packages on a macOS, a Windows and a Linux runner', async () => {
    const job = packageJob(await loadWorkflow());
    const entries = job.strategy?.matrix.include ?? [];
    expect(entries.map((entry) => expandMatrix(job['runs-on'], entry)).sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
  });

  it('has each runner build the bundles on Node 22 and run electron-builder for its own platform, never publishing', async () => {
    const job = packageJob(await loadWorkflow());
    for (const entry of job.strategy?.matrix.include ?? []) {
      const runner = expandMatrix(job['runs-on'], entry);
      const runs = job.steps.flatMap((step) => (step.run === undefined ? [] : [expandMatrix(step.run, entry)]));
      const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
      expect(String(setupNode?.with?.['node-version']), runner).toBe('22');
      expect(runs, runner).toContain('npm ci');
      expect(runs, runner).toContain('npm run build:desktop');
      const packaging = runs.filter((run) => run.includes('electron-builder'));
      expect(packaging, runner).toHaveLength(1);
      const flags = (packaging[0] ?? '').split(/\s+/);
      expect(flags, runner).toContain(PLATFORM_FLAG[runner]);
      expect(flags.filter((flag) => Object.values(PLATFORM_FLAG).includes(flag)), runner).toHaveLength(1);
      expect(packaging[0], runner).toMatch(/--publish never\b/);
      expect(runs.indexOf('npm run build:desktop'), runner).toBeLessThan(runs.indexOf(packaging[0] ?? ''));
    }
  });

  it('uploads the installers of every runner as artifacts', async () => {
    const job = packageJob(await loadWorkflow());
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    const expected: Record<string, string[]> = { mac: ['dmg', 'zip'], win: ['exe'], linux: ['AppImage', 'deb'] };
    for (const entry of job.strategy?.matrix.include ?? []) {
      const paths = expandMatrix(String(upload?.with?.path), entry).split('\n').filter(Boolean);
      const platform = entry.platform ?? '';
      expect(paths, platform).toEqual((expected[platform] ?? ['<unknown platform>']).map((ext) => `release/*.${ext}`));
    }
  });

  it('signs on macOS only from secrets, so a fork without them still builds unsigned', async () => {
    const job = packageJob(await loadWorkflow());
    const packaging = job.steps.find((step) => step.run?.includes('electron-builder'));
    for (const name of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) {
      expect(packaging?.env?.[name], name).toBe(`\${{ matrix.platform == 'mac' && secrets.${name} || '' }}`);
    }
  });

  it('attaches every artifact to the release for the tag, after all platforms are packaged', async () => {
    const workflow = await loadWorkflow();
    const [name, job] = Object.entries(workflow.jobs).find(([, candidate]) => candidate.steps.some((step) => step.run?.includes('gh release'))) ?? [];
    expect(name).toBeDefined();
    const packageJobName = Object.entries(workflow.jobs).find(([, candidate]) => candidate === packageJob(workflow))?.[0];
    expect([job?.needs].flat()).toContain(packageJobName);
    expect(job?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(job?.permissions?.contents).toBe('write');
    const download = job?.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toMatchObject({ path: 'release', 'merge-multiple': true });
    const script = job?.steps.map((step) => step.run ?? '').join('\n') ?? '';
    expect(script).toMatch(/gh release create "\$TAG"/);
    expect(script).toMatch(/gh release upload "\$TAG" release\/\* --clobber/);
  });
});
