/** "Keyboard shortcuts": what each key does in the call (opened with "?"). */
import { Dialog } from './Dialog';
import { t } from './i18n';

export const SHORTCUT_KEYS = ['m', 'space', 'r', 'question', 'escape'] as const;

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title={t.keyboardShortcuts} onClose={onClose}>
      <dl className="shortcuts">
        {SHORTCUT_KEYS.map((k) => (
          <div key={k}>
            <dt>
              <kbd>{t.keys[k]}</kbd>
            </dt>
            <dd>{t.keyHelp[k]}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
