import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type ClientRect,
  type CollisionDetection,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ConfigView, EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';
import { useEngineClient, useEngineView } from '../client/engine-context.js';
import { ConfigCard, ConfigCardPreview } from './ConfigCard.js';
import {
  applyMove,
  dropTarget,
  keyboardStep,
  locate,
  overIdFor,
  tierDropId,
  tierListsOf,
  tierOfDropId,
  type KeyStep,
  type MoveTarget,
  type TierLists,
} from './reorder.js';
import { errorMessage } from './SwitchDialog.js';
import './board.css';

/** Column headings; also the regions' accessible names. */
export const TIER_LABELS: Record<Tier, string> = {
  primary: 'PRIMARY',
  secondary: 'SECONDARY',
  fallback: 'FALLBACK',
  disabled: 'DISABLED',
};

/** A move sent to the engine and shown before it confirms; `revision` is the engine's answer. */
interface PendingMove extends MoveTarget {
  id: number;
  name: string;
  revision: number | null;
}

/** Where a drag in progress would land, for the insertion line in another tier. */
interface DropHint {
  tier: Tier;
  /** The card it would land before; null for the end of the tier. */
  before: string | null;
}

const KEY_STEPS: Record<string, KeyStep> = {
  ArrowUp: 'up',
  ArrowDown: 'down',
  ArrowLeft: 'left',
  ArrowRight: 'right',
};

/** The list a pending move would give: the snapshot order with the unconfirmed moves applied, in order. */
function displayedLists(snapshot: EngineSnapshot, pending: readonly PendingMove[]): TierLists {
  return pending
    .filter((move) => move.revision === null || snapshot.revision < move.revision)
    .reduce<TierLists>((lists, move) => applyMove(lists, move.name, move.tier, move.index), tierListsOf(snapshot.tiers));
}

const center = (rect: ClientRect) => rect.top + rect.height / 2;

/**
 * The priority groups: one column per tier, each config a card. Cards are
 * dragged (pointer or keyboard) within and across tiers; a drop is sent as
 * `priority:move`, shown at once, and rolled back if the engine refuses it.
 */
export function PriorityBoard() {
  const { snapshot } = useEngineView();
  const client = useEngineClient();
  const [pending, setPending] = useState<PendingMove[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [hint, setHint] = useState<DropHint | null>(null);
  const nextMoveId = useRef(1);

  const lists = useMemo(() => (snapshot ? displayedLists(snapshot, pending) : null), [snapshot, pending]);
  // Sensors and collision detection are created once; they read the latest lists through refs.
  const listsRef = useRef<TierLists | null>(lists);
  listsRef.current = lists;
  const dragFrom = useRef<MoveTarget | null>(null);
  const keyboardAt = useRef<MoveTarget | null>(null);

  const revision = snapshot?.revision ?? 0;
  useEffect(() => {
    // Moves the engine has confirmed are in the snapshot now.
    setPending((moves) => {
      const open = moves.filter((move) => move.revision === null || revision < move.revision);
      return open.length === moves.length ? moves : open;
    });
  }, [revision]);

  const coordinateGetter = useMemo<KeyboardCoordinateGetter>(
    () =>
      (event, { active, context, currentCoordinates }) => {
        const step = KEY_STEPS[event.code];
        const current = listsRef.current;
        const from = dragFrom.current;
        const at = keyboardAt.current;
        if (!step || !current || !from || !at) return undefined;
        event.preventDefault();
        const next = keyboardStep(current, from, at, step);
        keyboardAt.current = next;
        return keyboardCoordinates(current, String(active), from, next, context) ?? currentCoordinates;
      },
    [],
  );

  const collisionDetection = useMemo<CollisionDetection>(
    () => (args) => {
      const current = listsRef.current;
      const activeName = String(args.active.id);
      const from = current ? locate(current, activeName) : null;
      if (!current || !from) return closestCorners(args);
      const collision = (id: UniqueIdentifier) => {
        const container = args.droppableContainers.find((entry) => entry.id === id);
        return container ? [{ id, data: { droppableContainer: container, value: 0 } }] : [];
      };
      const pointer = args.pointerCoordinates;
      if (pointer === null) {
        // Keyboard: the position the arrow keys chose, not geometry.
        return keyboardAt.current ? collision(overIdFor(current, activeName, keyboardAt.current)) : [];
      }
      // Pointer: the column under it, then the gap between its cards nearest to the pointer.
      const column = args.droppableContainers.find((entry) => {
        const rect = tierOfDropId(String(entry.id)) !== null ? args.droppableRects.get(entry.id) : undefined;
        return rect !== undefined && pointer.x >= rect.left && pointer.x <= rect.right && pointer.y >= rect.top && pointer.y <= rect.bottom;
      });
      const tier = column ? tierOfDropId(String(column.id)) : null;
      if (!tier) return [];
      const others = current[tier].filter((name) => name !== activeName);
      const index = others.filter((name) => {
        const rect = args.droppableRects.get(name);
        return rect !== undefined && center(rect) < pointer.y;
      }).length;
      return collision(overIdFor(current, activeName, { tier, index }));
    },
    [],
  );

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter }));

  if (!snapshot || !lists) return null;

  const configs = new Map<string, ConfigView>();
  for (const group of snapshot.tiers) for (const config of group.configs) configs.set(config.name, config);
  const enabled = new Map(snapshot.tiers.map((group) => [group.tier, group.enabled]));
  const dragged = activeId === null ? undefined : configs.get(activeId);

  const describe = (name: string, target: MoveTarget | null): string => {
    if (!target) return `${name} stays where it is.`;
    const count = lists[target.tier].filter((entry) => entry !== name).length + 1;
    return `${name}: ${TIER_LABELS[target.tier]}, position ${target.index + 1} of ${count}.`;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${String(active.id)}. ${describe(String(active.id), locate(lists, String(active.id)))}`,
    onDragOver: ({ active, over }) => (over ? describe(String(active.id), dropTarget(lists, String(active.id), String(over.id))) : undefined),
    onDragEnd: ({ active, over }) => {
      const target = over ? dropTarget(lists, String(active.id), String(over.id)) : null;
      return target ? `Moved ${describe(String(active.id), target)}` : `${String(active.id)} dropped where it was.`;
    },
    onDragCancel: ({ active }) => `Moving ${String(active.id)} cancelled; it stays where it was.`,
  };

  const endDrag = () => {
    setActiveId(null);
    setHint(null);
    dragFrom.current = null;
    keyboardAt.current = null;
  };

  const onDragStart = ({ active }: DragStartEvent) => {
    const from = locate(lists, String(active.id));
    dragFrom.current = from;
    keyboardAt.current = from;
    setActiveId(String(active.id));
    setError(null);
  };

  const onDragOver = ({ active, over }: DragOverEvent) => {
    const name = String(active.id);
    const target = over ? dropTarget(lists, name, String(over.id)) : null;
    const from = locate(lists, name);
    // Within its own tier the cards make room themselves; elsewhere a line shows the spot.
    if (!target || !from || (target.tier === from.tier && tierOfDropId(String(over?.id)) === null)) setHint(null);
    else setHint({ tier: target.tier, before: lists[target.tier].filter((entry) => entry !== name)[target.index] ?? null });
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    const name = String(active.id);
    const target = over ? dropTarget(lists, name, String(over.id)) : null;
    endDrag();
    if (target) move(name, target);
  };

  const move = (name: string, target: MoveTarget) => {
    const id = nextMoveId.current++;
    setPending((moves) => [...moves, { id, name, ...target, revision: null }]);
    client
      .invoke('priority:move', { name, tier: target.tier, index: target.index })
      .then((result) => {
        setPending((moves) => moves.map((entry) => (entry.id === id ? { ...entry, revision: result.revision } : entry)));
      })
      .catch((failure: unknown) => {
        setPending((moves) => moves.filter((entry) => entry.id !== id));
        setError(`Could not move ${name}: ${errorMessage(failure)}`);
      });
  };

  return (
    <section className="qcc-board" aria-labelledby="qcc-board-title" data-dragging={activeId !== null || undefined}>
      <div className="qcc-board-head">
        <h2 id="qcc-board-title">Priority groups</h2>
        <p className="muted">Traffic goes to the first healthy config, top to bottom. Drag a card by its handle to reorder.</p>
      </div>
      {error && (
        <div role="alert" className="qcc-error qcc-board-error">
          <span>{error}</span>
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss error">
            ×
          </button>
        </div>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={collisionDetection}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={endDrag}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              'To move a config, press Space or Enter on its handle. Arrow keys up and down move it within and between tiers, left and right jump to the neighbouring tier. Press Space or Enter to drop it, Escape to cancel.',
          },
        }}
      >
        <div className="qcc-tiers">
          {TIERS.map((tier) => (
            <TierColumn
              key={tier}
              tier={tier}
              enabled={enabled.get(tier) ?? false}
              names={lists[tier]}
              configs={configs}
              snapshot={snapshot}
              hint={hint?.tier === tier ? hint : null}
            />
          ))}
        </div>
        {/* In body: the board's container query makes it the containing block of anything fixed inside it. */}
        {createPortal(
          <DragOverlay>
            {dragged ? (
              <ConfigCardPreview config={dragged} pinned={snapshot.pinned && dragged.active} drilled={snapshot.drill?.config === dragged.name} />
            ) : null}
          </DragOverlay>,
          document.body,
        )}
      </DndContext>
    </section>
  );
}

interface TierColumnProps {
  tier: Tier;
  enabled: boolean;
  names: readonly string[];
  configs: ReadonlyMap<string, ConfigView>;
  snapshot: EngineSnapshot;
  hint: DropHint | null;
}

/** One tier: a region named after it, a droppable (so empty tiers and the space below the cards take drops), and a sortable list. */
function TierColumn({ tier, enabled, names, configs, snapshot, hint }: TierColumnProps) {
  const { setNodeRef } = useDroppable({ id: tierDropId(tier) });
  const shown = names.filter((name) => configs.has(name));
  const muted = !enabled;
  return (
    <section
      ref={setNodeRef}
      aria-label={TIER_LABELS[tier]}
      className="qcc-tier"
      data-tier={tier}
      data-enabled={enabled}
      data-drop-end={(hint !== null && hint.before === null) || undefined}
    >
      <header className="qcc-tier-head">
        <h3>{TIER_LABELS[tier]}</h3>
        {!enabled && (
          <span className="qcc-badge qcc-badge-off" title={tier === 'disabled' ? 'Configs here never serve' : 'This tier is turned off'}>
            off
          </span>
        )}
        <span className="qcc-tier-count muted" aria-label={`${shown.length} config${shown.length === 1 ? '' : 's'}`}>
          {shown.length}
        </span>
      </header>
      <SortableContext id={tier} items={shown} strategy={verticalListSortingStrategy}>
        <ul className="qcc-tier-list">
          {shown.map((name) => {
            const config = configs.get(name) as ConfigView;
            return (
              <ConfigCard
                key={name}
                config={config}
                pinned={snapshot.pinned && config.active}
                drilled={snapshot.drill?.config === name}
                dropBefore={hint?.before === name}
                muted={muted}
              />
            );
          })}
        </ul>
      </SortableContext>
      {shown.length === 0 && <p className="qcc-tier-empty muted">{tier === 'disabled' ? 'Drop a config here to stop it serving' : 'Drop a config here'}</p>}
    </section>
  );
}

/**
 * Where the dragged card goes on screen for a keyboard drop position: onto the
 * card whose place it takes in its own tier (the others make room), just above
 * the card it would land before in another tier, or below the last card.
 */
function keyboardCoordinates(
  lists: TierLists,
  activeId: string,
  from: MoveTarget,
  target: MoveTarget,
  context: Parameters<KeyboardCoordinateGetter>[1]['context'],
): { x: number; y: number } | null {
  const rects = context.droppableRects;
  const own = rects.get(activeId);
  if (!own) return null;
  if (target.tier === from.tier) {
    const over = rects.get(lists[target.tier][target.index] ?? activeId);
    if (!over) return null;
    return { x: over.left, y: target.index > from.index ? over.bottom - own.height : over.top };
  }
  const others = lists[target.tier].filter((name) => name !== activeId);
  const before = others[target.index];
  if (before !== undefined) {
    const rect = rects.get(before);
    return rect ? { x: rect.left, y: rect.top - 12 } : null;
  }
  const lastName = others[others.length - 1];
  const last = lastName !== undefined ? rects.get(lastName) : undefined;
  if (last) return { x: last.left, y: last.bottom + 12 };
  // An empty tier: where its first card would be.
  const columnId = tierDropId(target.tier);
  const column = rects.get(columnId);
  const node = context.droppableContainers.get(columnId)?.node.current;
  const list = node?.querySelector('.qcc-tier-list');
  if (!column || !node || !list) return null;
  const offset = list.getBoundingClientRect().top - node.getBoundingClientRect().top;
  return { x: list.getBoundingClientRect().left - node.getBoundingClientRect().left + column.left, y: column.top + offset };
}
