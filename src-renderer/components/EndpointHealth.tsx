import { useEffect, useState } from 'react';
import type { EndpointView } from '../../src-shared/contract/snapshot.js';
import type { EjectionCause, EndpointHealth as Health, EndpointSample } from '../../src-shared/model/health.js';
import './board.css';

/**
 * The current time, re-read every `intervalMs` while `ticking` (for countdowns:
 * ejection time left, a drill's end). No timer at all while not ticking.
 */
export function useNow(ticking: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [ticking, intervalMs]);
  return now;
}

/** "12 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const CAUSE_WORDS: Record<EjectionCause, string> = {
  failures: 'failures',
  rate_limited: 'rate limited',
  credential_rejected: 'key rejected',
};

/** Breaker state in words, and the tone (colour) it is shown in. */
export function breakerWords(
  health: Health,
  checked: boolean,
  now: number,
): { text: string; tone: 'ok' | 'degraded' | 'down' | 'idle' } {
  if (health.state === 'open') {
    const cause = health.ejection_cause ? CAUSE_WORDS[health.ejection_cause] : 'failures';
    let left = '';
    if (health.ejected_until !== null)
      left = health.ejected_until > now ? ` · ${formatDuration(health.ejected_until - now)} left` : ' · retry due';
    else if (health.credential_rejected) left = ' · until the key works';
    return { text: `ejected (${cause})${left}`, tone: 'down' };
  }
  if (health.state === 'half_open') return { text: 'half-open · next request decides', tone: 'degraded' };
  if (!checked) return { text: 'not checked', tone: 'idle' };
  return { text: 'healthy', tone: 'ok' };
}

/** `http://127.0.0.1:8080/v1` → `127.0.0.1:8080/v1`: the scheme is noise in a narrow row. */
function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

function percent(rate: number): string {
  const value = rate * 100;
  return `${value >= 99.5 || value < 0.5 ? Math.round(value) : value.toFixed(value >= 10 ? 0 : 1)}%`;
}

/**
 * One endpoint's health: breaker state in words (with ejection time left),
 * last error, success rate and median latency over the recent window, and a
 * sparkline of the latest outcomes. The key is only ever its hint.
 */
export function EndpointHealth({ endpoint, preview = false }: { endpoint: EndpointView; /** A drag preview's copy: no test id. */ preview?: boolean }) {
  const { health, stats } = endpoint;
  const counting = health.state === 'open' && health.ejected_until !== null;
  const now = useNow(counting);
  const checked =
    health.last_success !== null || health.last_failure !== null || stats.samples.length > 0 || stats.total.successes + stats.total.failures > 0;
  const state = breakerWords(health, checked, now);

  return (
    // A group, not a listitem: the tier's listitems are the config cards only.
    <div
      role="group"
      className="qcc-endpoint"
      data-testid={preview ? undefined : `endpoint-${endpoint.id}`}
      data-breaker={health.state}
      data-enabled={endpoint.enabled}
      aria-label={`Endpoint ${shortUrl(endpoint.base_url)}`}
    >
      <div className="qcc-endpoint-main">
        <span className={`qcc-dot qcc-tone-${endpoint.enabled ? state.tone : 'idle'}`} aria-hidden="true" />
        <span className="qcc-endpoint-url" title={endpoint.base_url}>
          {shortUrl(endpoint.base_url)}
        </span>
        <span className="qcc-key-hint" title={`API key (${endpoint.auth_style})`}>
          {endpoint.key_hint}
        </span>
        <Sparkline samples={stats.samples} />
      </div>
      <div className="qcc-endpoint-detail">
        <span className={`qcc-breaker qcc-text-${state.tone}`}>
          {!endpoint.enabled && 'disabled · '}
          {state.text}
        </span>
        {health.credential_rejected && health.state !== 'open' && <span className="qcc-text-down">key was rejected</span>}
        {health.state === 'closed' && health.consecutive_failures > 0 && (
          <span className="qcc-text-degraded">
            {health.consecutive_failures} failure{health.consecutive_failures === 1 ? '' : 's'} in a row
          </span>
        )}
        <span className="muted" title={stats.window > 0 ? `over the last ${stats.window} outcomes` : undefined}>
          {stats.success_rate === null ? 'no traffic yet' : `${percent(stats.success_rate)} ok`}
          {' · '}
          {stats.latency_p50_ms === null ? 'p50 —' : `p50 ${Math.round(stats.latency_p50_ms)} ms`}
        </span>
      </div>
      {health.last_error && (
        <div className="qcc-last-error" title={health.last_error}>
          <span className="muted">Last error:</span> {health.last_error}
        </div>
      )}
    </div>
  );
}

const SPARK_SLOTS = 30;
const SLOT_WIDTH = 3;
const BAR_WIDTH = 2;
const SPARK_HEIGHT = 16;

/**
 * The latest outcomes as bars, newest on the right: a success is green, its
 * height its latency relative to the slowest in view; a failure is a full red bar.
 */
export function Sparkline({ samples }: { samples: readonly EndpointSample[] }) {
  const shown = samples.slice(-SPARK_SLOTS);
  const failures = shown.filter((sample) => !sample.ok).length;
  const slowest = Math.max(1, ...shown.map((sample) => sample.latency_ms ?? 0));
  const label =
    shown.length === 0 ? 'No recent outcomes' : `Last ${shown.length} outcomes: ${shown.length - failures} ok, ${failures} failed`;
  const offset = SPARK_SLOTS - shown.length;
  return (
    <svg
      className="qcc-sparkline"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${SPARK_SLOTS * SLOT_WIDTH} ${SPARK_HEIGHT}`}
      preserveAspectRatio="none"
      data-samples={shown.length}
    >
      <title>{label}</title>
      <line className="qcc-spark-base" x1={0} x2={SPARK_SLOTS * SLOT_WIDTH} y1={SPARK_HEIGHT - 0.5} y2={SPARK_HEIGHT - 0.5} />
      {shown.map((sample, index) => {
        const height = sample.ok
          ? Math.max(4, (sample.latency_ms === null ? 0.5 : 0.3 + (0.7 * sample.latency_ms) / slowest) * SPARK_HEIGHT)
          : SPARK_HEIGHT;
        return (
          <rect
            key={`${sample.at}-${index}`}
            className={sample.ok ? 'qcc-spark-ok' : 'qcc-spark-fail'}
            x={(offset + index) * SLOT_WIDTH}
            y={SPARK_HEIGHT - height}
            width={BAR_WIDTH}
            height={height}
            rx={0.5}
          />
        );
      })}
    </svg>
  );
}
