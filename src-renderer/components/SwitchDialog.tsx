import { useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useEngineClient } from '../client/engine-context.js';
import './board.css';

/** A user-facing message for a failed command (EngineError messages are written for users). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface ModalProps {
  /** The dialog's accessible name, shown as its heading. */
  title: string;
  role?: 'dialog' | 'alertdialog';
  onClose: () => void;
  /** Where focus goes when the dialog closes (default: wherever it was when it opened). */
  returnFocus?: () => HTMLElement | null;
  describedBy?: string;
  children: ReactNode;
}

/**
 * A modal dialog: rendered into `document.body` (a dragged card's transform
 * would otherwise trap a fixed overlay), focus moved in on open, kept inside
 * with Tab, Escape to close, and focus handed back on close.
 */
export function Modal({ title, role = 'dialog', onClose, returnFocus, describedBy, children }: ModalProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;

  // A layout effect, so focus is handed back in the same commit that removes the dialog.
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = ref.current;
    const first = node?.querySelector<HTMLElement>('[data-autofocus]') ?? node?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? node)?.focus();
    return () => {
      const target = returnFocusRef.current?.() ?? opener;
      // The opener may be gone (a menu item, a deleted card): then focus stays where the browser puts it.
      if (target?.isConnected) target.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onCloseRef.current();
      return;
    }
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div
      className="qcc-modal-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={ref}
        className="qcc-modal"
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="qcc-modal-title">
          {title}
        </h2>
        {children}
      </div>
    </div>,
    document.body,
  );
}

interface ConfirmDialogProps {
  title: string;
  /** What will happen, in words. */
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs the action; a rejection is shown in the dialog, which stays open. */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  returnFocus?: () => HTMLElement | null;
}

/** "Are you sure?" with the action's error shown inline. */
export function ConfirmDialog({ title, message, confirmLabel, danger = false, onConfirm, onClose, returnFocus }: ConfirmDialogProps) {
  const messageId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <Modal title={title} role="alertdialog" onClose={onClose} returnFocus={returnFocus} describedBy={messageId}>
      <div id={messageId} className="qcc-modal-body">
        {message}
      </div>
      {error && (
        <p role="alert" className="qcc-error">
          {error}
        </p>
      )}
      <div className="qcc-modal-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={danger ? 'qcc-danger' : 'primary'} onClick={() => void confirm()} disabled={busy} data-autofocus>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

interface SwitchDialogProps {
  /** The config to switch to. */
  name: string;
  onClose: () => void;
  returnFocus?: () => HTMLElement | null;
}

/** Manual switch: asks for a reason (recorded in history), then `failover:switch`, which pins the config. */
export function SwitchDialog({ name, onClose, returnFocus }: SwitchDialogProps) {
  const client = useEngineClient();
  const reasonId = useId();
  const hintId = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const trimmed = reason.trim();
      await client.invoke('failover:switch', trimmed ? { name, reason: trimmed } : { name });
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <Modal title={`Switch to ${name}`} onClose={onClose} returnFocus={returnFocus}>
      <form onSubmit={(event) => void submit(event)} className="qcc-form">
        <p id={hintId} className="qcc-modal-body muted">
          Traffic moves to <strong>{name}</strong> now, and it stays pinned there (no automatic recovery away from it) until you unpin
          it or switch again. The reason is recorded in the history.
        </p>
        <label htmlFor={reasonId}>Reason</label>
        <input
          id={reasonId}
          type="text"
          value={reason}
          maxLength={500}
          placeholder="e.g. planned maintenance on the primary provider"
          aria-describedby={hintId}
          onChange={(event) => setReason(event.target.value)}
          data-autofocus
        />
        {error && (
          <p role="alert" className="qcc-error">
            {error}
          </p>
        )}
        <div className="qcc-modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Switch
          </button>
        </div>
      </form>
    </Modal>
  );
}
