import type { ConfigHealth, HealthStatus } from '../../src-shared/model/health.js';
import './board.css';

const TONE: Record<HealthStatus, 'ok' | 'degraded' | 'down' | 'idle'> = {
  healthy: 'ok',
  degraded: 'degraded',
  unhealthy: 'down',
  unknown: 'idle',
};

const STATUS_WORDS: Record<HealthStatus, string> = {
  healthy: 'healthy',
  degraded: 'degraded',
  unhealthy: 'unhealthy',
  unknown: 'not checked yet',
};

/** 100 → "100%", 66.666… → "67%", 0.4 → "<1%": the seed's percentage, readable. */
export function formatPercentage(value: number): string {
  if (value > 0 && value < 1) return '<1%';
  return `${Math.round(value)}%`;
}

/**
 * A config's health at a glance: healthy endpoints out of all, as a bar (a
 * `meter` whose value is the seed's health_percentage), coloured by status.
 */
export function HealthBar({ name, health }: { name: string; health: ConfigHealth }) {
  const tone = TONE[health.status];
  const percentage = Math.min(100, Math.max(0, health.health_percentage));
  const summary = `${health.healthy_endpoints} of ${health.total_endpoints} endpoint${health.total_endpoints === 1 ? '' : 's'} healthy`;
  return (
    <div className="qcc-health">
      <div
        className="qcc-meter"
        role="meter"
        aria-label={`${name} health`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={health.health_percentage}
        aria-valuetext={`${formatPercentage(percentage)}, ${summary}, ${STATUS_WORDS[health.status]}`}
        data-status={health.status}
      >
        <div className={`qcc-meter-fill qcc-bg-${tone}`} style={{ width: `${percentage}%` }} />
      </div>
      <div className="qcc-health-text">
        <span className={`qcc-text-${tone}`}>{STATUS_WORDS[health.status]}</span>
        <span className="muted">
          {health.healthy_endpoints}/{health.total_endpoints} endpoints · {formatPercentage(percentage)}
        </span>
      </div>
    </div>
  );
}
