/** A modal dialog (the native <dialog>: focus kept inside, Esc closes, the rest inert). */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { t } from './i18n';

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    return () => d?.close?.();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {children}
      <form method="dialog">
        <button type="submit">{t.close}</button>
      </form>
    </dialog>
  );
}
