/** Polls `fn` every `everyMs` while mounted; a refused token stops the polling (it would trip the throttle). */
import { useEffect, useState } from 'react';
import { Unauthorized } from './api';

export function usePoll<T>(fn: () => Promise<T>, everyMs: number, deps: unknown[]): { data: T | null; error: Error | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let alive = true;
    const run = () =>
      fn().then(
        (d) => alive && (setData(d), setError(null)),
        (e: Error) => {
          // A refused token is not asked again every few seconds (that would trip the throttle).
          if (e instanceof Unauthorized) clearInterval(t);
          if (alive) setError(e);
        },
      );
    void run();
    const t = setInterval(run, everyMs);
    return () => {
      alive = false;
      clearInterval(t);
    };
    // `deps` is the caller's dependency list, passed on as useEffect's own.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error };
}

