import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import type { ConfigView } from '../../src-shared/contract/snapshot.js';
import { useEngineClient } from '../client/engine-context.js';
import { EndpointHealth } from './EndpointHealth.js';
import { HealthBar } from './HealthBar.js';
import { ConfirmDialog, SwitchDialog } from './SwitchDialog.js';
import './board.css';

/** The DOM event the card's "Edit" raises; the config editor listens for it on `window`. */
export const EDIT_CONFIG_EVENT = 'qcc:edit-config';

export interface EditConfigDetail {
  name: string;
}

interface ConfigCardProps {
  config: ConfigView;
  /** The active config and pinned by a manual switch. */
  pinned: boolean;
  /** Treated as failed by a running failover drill. */
  drilled: boolean;
  /** A drag from another tier would land just before this card. */
  dropBefore: boolean;
  /** The tier it is shown in is off (or is the disabled tier): shown muted. */
  muted: boolean;
}

/**
 * One config in a tier column: drag handle (dnd-kit sortable activator),
 * name and badges, health bar, endpoints, and an actions menu (switch, edit,
 * delete). Its accessible name is the config's name.
 */
export function ConfigCard({ config, pinned, drilled, dropBefore, muted }: ConfigCardProps) {
  const { name } = config;
  const client = useEngineClient();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: name });
  const menuButton = useRef<HTMLButtonElement>(null);
  const [dialog, setDialog] = useState<'switch' | 'delete' | null>(null);

  const closeDialog = () => setDialog(null);
  const focusMenuButton = () => menuButton.current;

  return (
    <li
      ref={setNodeRef}
      aria-label={name}
      className="qcc-card"
      data-active={config.active ? 'true' : 'false'}
      data-dragging={isDragging || undefined}
      data-drop-before={dropBefore || undefined}
      data-muted={muted || undefined}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      <CardContent
        config={config}
        pinned={pinned}
        drilled={drilled}
        handle={
          <button
            ref={setActivatorNodeRef}
            type="button"
            className="qcc-handle"
            {...attributes}
            {...listeners}
            aria-label={`Reorder ${name}`}
            title="Drag to reorder, or press Space and use the arrow keys"
          >
            <GripIcon />
          </button>
        }
        menu={
          <CardMenu
            name={name}
            switchRefusal={config.switch_refusal}
            buttonRef={menuButton}
            onSwitch={() => setDialog('switch')}
            onEdit={() => window.dispatchEvent(new CustomEvent<EditConfigDetail>(EDIT_CONFIG_EVENT, { detail: { name } }))}
            onDelete={() => setDialog('delete')}
          />
        }
      />
      {dialog === 'switch' && <SwitchDialog name={name} onClose={closeDialog} returnFocus={focusMenuButton} />}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          message={
            <p>
              The config <strong>{name}</strong> and its {config.endpoints.length} endpoint{config.endpoints.length === 1 ? '' : 's'} (with
              their keys) are removed. {config.active && 'It is serving now: traffic moves to the next config. '}This cannot be undone.
            </p>
          }
          confirmLabel="Delete"
          danger
          onConfirm={() => client.invoke('config:remove', { name })}
          onClose={closeDialog}
          returnFocus={focusMenuButton}
        />
      )}
    </li>
  );
}

/**
 * What follows the pointer (or the arrow keys) while a card is dragged: a
 * look-alike of the card, hidden from assistive technology (the live region
 * describes the drag) and without test ids or controls.
 */
export function ConfigCardPreview({ config, pinned, drilled }: Pick<ConfigCardProps, 'config' | 'pinned' | 'drilled'>) {
  return (
    <div className="qcc-card qcc-card-preview" aria-hidden="true" data-active={config.active ? 'true' : 'false'}>
      <CardContent
        config={config}
        pinned={pinned}
        drilled={drilled}
        preview
        handle={
          <span className="qcc-handle">
            <GripIcon />
          </span>
        }
        menu={null}
      />
    </div>
  );
}

function GripIcon() {
  return (
    <svg viewBox="0 0 10 16" width="10" height="16" aria-hidden="true">
      {[3, 8, 13].flatMap((y) => [<circle key={`a${y}`} cx="2.5" cy={y} r="1.4" />, <circle key={`b${y}`} cx="7.5" cy={y} r="1.4" />])}
    </svg>
  );
}

interface CardContentProps {
  config: ConfigView;
  pinned: boolean;
  drilled: boolean;
  handle: ReactNode;
  menu: ReactNode;
  preview?: boolean;
}

/** The inside of a card: head (handle, name, badges, menu), description, health bar, endpoints. */
function CardContent({ config, pinned, drilled, handle, menu, preview = false }: CardContentProps) {
  const { name } = config;
  return (
    <>
      <div className="qcc-card-head">
        {handle}
        <div className="qcc-card-title">
          <span className="qcc-card-name" title={name}>
            {name}
          </span>
          {config.active && <span className="qcc-badge qcc-badge-active">Active</span>}
          {pinned && <span className="qcc-badge qcc-badge-pinned">Pinned</span>}
          {drilled && <span className="qcc-badge qcc-badge-drill">Drill</span>}
        </div>
        {menu}
      </div>
      {config.description && (
        <p className="qcc-card-desc muted" title={config.description}>
          {config.description}
        </p>
      )}
      <HealthBar name={name} health={config.health} />
      {config.endpoints.length > 0 ? (
        <div className="qcc-endpoints">
          {config.endpoints.map((endpoint) => (
            <EndpointHealth key={endpoint.id} endpoint={endpoint} preview={preview} />
          ))}
        </div>
      ) : (
        <p className="qcc-no-endpoints muted">No endpoints yet — use Edit to add one.</p>
      )}
    </>
  );
}

interface CardMenuProps {
  name: string;
  /** Why the engine would refuse a switch here now; the item is then unavailable and says why. */
  switchRefusal: string | null;
  buttonRef: RefObject<HTMLButtonElement | null>;
  onSwitch: () => void;
  onEdit: () => void;
  onDelete: () => void;
}

/**
 * A menu button (WAI-ARIA menu pattern): opens with click, Enter, Space or
 * ArrowDown and focuses its first item; arrows, Home and End move between
 * items; Escape closes it and returns focus to the button; Tab or a click
 * elsewhere closes it.
 */
function CardMenu({ name, switchRefusal, buttonRef, onSwitch, onEdit, onDelete }: CardMenuProps) {
  const menuId = useId();
  const menuRef = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [focusLast, setFocusLast] = useState(false);

  useEffect(() => {
    if (!open) return;
    const items = menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    (focusLast ? items?.[items.length - 1] : items?.[0])?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, focusLast, buttonRef]);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  const choose = (action: () => void) => {
    close(true);
    action();
  };

  const onButtonKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setFocusLast(event.key === 'ArrowUp');
      setOpen(true);
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const current = items.indexOf(document.activeElement as HTMLElement);
    const focus = (index: number) => items[(index + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        focus(current + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        focus(current - 1);
        break;
      case 'Home':
        event.preventDefault();
        focus(0);
        break;
      case 'End':
        event.preventDefault();
        focus(items.length - 1);
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };

  return (
    <div className="qcc-menu-wrap">
      <button
        ref={buttonRef}
        type="button"
        className="qcc-menu-button"
        aria-label={`Actions for ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => {
          setFocusLast(false);
          setOpen((was) => !was);
        }}
        onKeyDown={onButtonKeyDown}
      >
        <svg viewBox="0 0 16 4" width="16" height="4" aria-hidden="true">
          <circle cx="2" cy="2" r="1.6" />
          <circle cx="8" cy="2" r="1.6" />
          <circle cx="14" cy="2" r="1.6" />
        </svg>
      </button>
      {open && (
        <div ref={menuRef} id={menuId} role="menu" aria-label={`Actions for ${name}`} className="qcc-menu" onKeyDown={onMenuKeyDown}>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            aria-disabled={switchRefusal !== null}
            title={switchRefusal ?? undefined}
            onClick={() => {
              if (switchRefusal === null) choose(onSwitch);
            }}
          >
            Switch to
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(onEdit)}>
            Edit
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="qcc-danger-text" onClick={() => choose(onDelete)}>
            Delete
          </button>
        </div>
      )}
    </div>
  );
}
