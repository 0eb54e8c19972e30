import { useEngineView } from '../client/engine-context.js';
import './board.css';

/**
 * What QCC found wrong and could not fix by itself: a corrupt settings file
 * moved aside, a key it cannot decrypt, state it could not save, keys stored
 * unencrypted. Each says what to do; nothing shows when all is well.
 */
export function ProblemsBanner() {
  const { snapshot } = useEngineView();
  const problems = snapshot?.problems ?? [];
  if (problems.length === 0) return null;
  return (
    <section className="qcc-problems" aria-label="Problems">
      <strong>{problems.length === 1 ? 'QCC found a problem' : `QCC found ${problems.length} problems`}</strong>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </section>
  );
}
