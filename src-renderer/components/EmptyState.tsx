import { useEffect, useId, useRef, useState } from 'react';
import { useEngineClient } from '../client/engine-context.js';
import { requestAddConfig } from './config-form.js';
import { errorMessage } from './SwitchDialog.js';
import './panels.css';

const IMPORT_COMMAND = 'qcc claude import';

/** A command in a code block with a copy button. */
function CopyableCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const codeRef = useRef<HTMLElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('copied');
    } catch {
      // No clipboard permission (e.g. plain http): select the text so Ctrl+C works.
      const code = codeRef.current;
      const selection = window.getSelection();
      if (code && selection) {
        const range = document.createRange();
        range.selectNodeContents(code);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopied('failed');
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied('idle'), 2_000);
  };

  return (
    <div className="code-block">
      <pre>
        <code ref={codeRef}>{command}</code>
      </pre>
      <button type="button" aria-label={`Copy ${command}`} onClick={() => void copy()}>
        {copied === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span className="visually-hidden" role="status">
        {copied === 'copied' ? 'Copied to the clipboard' : copied === 'failed' ? 'Selected; press Ctrl+C to copy' : ''}
      </span>
    </div>
  );
}

type ImportState = { kind: 'idle' } | { kind: 'importing' } | { kind: 'failed'; message: string };

/**
 * "Import from Claude Code": the engine reads the provider and key Claude
 * Code is set up with on this machine and adds them as a config (which then
 * replaces this empty state). The desktop app has no terminal, so this is
 * its way in; the engine's refusal (nothing set up, name taken) shows inline.
 */
function ImportFromClaudeCode() {
  const client = useEngineClient();
  const [state, setState] = useState<ImportState>({ kind: 'idle' });
  const run = async () => {
    setState({ kind: 'importing' });
    try {
      await client.invoke('claude:import', {});
      setState({ kind: 'idle' });
    } catch (failure) {
      setState({ kind: 'failed', message: errorMessage(failure) });
    }
  };
  return (
    <>
      <p>
        <button type="button" onClick={() => void run()} disabled={state.kind === 'importing'}>
          {state.kind === 'importing' ? 'Importing…' : 'Import from Claude Code'}
        </button>
      </p>
      {state.kind === 'failed' && (
        <p role="alert" className="qcc-error">
          Not imported: {state.message}
        </p>
      )}
    </>
  );
}

/** First run: no configs yet. Offers the "Add config" dialog and the Claude Code import. */
export function EmptyState() {
  const titleId = useId();
  return (
    <section className="panel empty-state" aria-labelledby={titleId}>
      <h2 id={titleId}>Add your first config</h2>
      <p>
        A config is one API provider: a base URL and an API key (or several endpoints). QCC sends Claude Code’s requests to the
        highest-ranked healthy config and, when it fails, moves them to the next one before Claude Code sees an error. Add a
        primary and a backup to get failover.
      </p>
      <p>
        <button type="button" className="primary" onClick={requestAddConfig}>
          Add config
        </button>
      </p>
      <h3>Already using Claude Code?</h3>
      <p>Turn the provider and key Claude Code is set up with on this machine into a config:</p>
      <ImportFromClaudeCode />
      <p className="muted">Or from a terminal, where your shell’s environment counts too:</p>
      <CopyableCommand command={IMPORT_COMMAND} />
      <p className="muted">
        Then <code>qcc claude connect</code> points Claude Code at QCC’s proxy (your settings are backed up first).
      </p>
    </section>
  );
}
