import { useEffect, useState } from 'preact/hooks';
import { apiKey, setApiKey, UNAUTHORIZED_EVENT } from './api.js';
import { ChatView } from './chat.js';
import { CollectionsView } from './collections.js';
import { Icon, Logo, type IconName } from './icons.js';
import { PassagePanel } from './passage-panel.js';
import { href, navigate, useRoute } from './router.js';
import { SearchView } from './search.js';
import { closePassage, passage, toasts, useStore } from './store.js';
import { useTheme, type ThemeChoice } from './theme.js';

const SECTIONS: Array<{ id: string; label: string; icon: IconName }> = [
  { id: 'chat', label: 'Chat', icon: 'chat' },
  { id: 'collections', label: 'Collections', icon: 'library' },
  { id: 'search', label: 'Search', icon: 'search' },
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' };

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Focuses the search playground's query box once it is on screen. */
export function focusSearch(): void {
  navigate('search');
  let tries = 0;
  const attempt = () => {
    const input = document.getElementById('search-query');
    if (input instanceof HTMLInputElement) {
      input.focus();
      input.select();
    } else if (tries++ < 10) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

function KeyDialog({ onClose }: { onClose: () => void }) {
  const [value, setValue] = useState(apiKey() ?? '');
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="key-title">
      <form
        class="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          setApiKey(value.trim() || null);
          onClose();
          location.reload();
        }}
      >
        <h2 id="key-title">
          <Icon name="key" /> API key needed
        </h2>
        <p>This server requires an API key. Create one with <code>lore keys create --collections NAME</code> and paste it here. It is kept in this browser only.</p>
        <input class="input" type="password" autoComplete="off" placeholder="lore_…" value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-label="API key" autoFocus />
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary">
            Save key
          </button>
        </div>
      </form>
    </div>
  );
}

export function App() {
  const route = useRoute();
  const section = SECTIONS.some((s) => s.id === route[0]) ? route[0]! : 'chat';
  const [theme, setTheme] = useTheme();
  const panel = useStore(passage);
  const notices = useStore(toasts);
  const [askKey, setAskKey] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && passage.get()) {
        e.preventDefault();
        closePassage();
      } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target)) {
        e.preventDefault();
        focusSearch();
      }
    };
    const unauthorized = () => setAskKey(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener(UNAUTHORIZED_EVENT, unauthorized);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(UNAUTHORIZED_EVENT, unauthorized);
    };
  }, []);

  useEffect(() => {
    document.title = `${SECTIONS.find((s) => s.id === section)?.label ?? 'Chat'} · Lore`;
  }, [section]);

  return (
    <div class={panel ? 'app has-panel' : 'app'}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <nav class="rail" aria-label="Sections">
        <a class="rail-brand" href={href('chat')} aria-label="Lore home">
          <Logo />
        </a>
        <ul class="rail-items">
          {SECTIONS.map((s) => (
            <li>
              <a class="rail-item" href={href(s.id)} aria-current={s.id === section ? 'page' : undefined} data-section={s.id}>
                <Icon name={s.icon} size={20} />
                <span>{s.label}</span>
              </a>
            </li>
          ))}
        </ul>
        <button
          type="button"
          class="rail-item rail-theme"
          data-testid="theme-toggle"
          aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}`}
          title={`Theme: ${theme} (click for ${NEXT_THEME[theme]})`}
          onClick={() => setTheme(NEXT_THEME[theme])}
        >
          <Icon name={THEME_ICON[theme]} size={20} />
          <span>{theme === 'system' ? 'Auto' : theme === 'light' ? 'Light' : 'Dark'}</span>
        </button>
      </nav>
      <main id="main" class="view" tabIndex={-1}>
        {section === 'chat' ? <ChatView sessionId={route[1]} /> : section === 'collections' ? <CollectionsView name={route[1]} /> : <SearchView />}
      </main>
      {panel ? (
        <>
          <div class="panel-backdrop" onClick={closePassage} aria-hidden="true" />
          <PassagePanel target={panel.target} />
        </>
      ) : null}
      <div class="toasts" role="status" aria-live="polite">
        {notices.map((t) => (
          <div class={`toast toast-${t.kind}`} key={t.id}>
            <Icon name={t.kind === 'error' ? 'alert' : 'check'} size={16} />
            <span>{t.message}</span>
          </div>
        ))}
      </div>
      {askKey ? <KeyDialog onClose={() => setAskKey(false)} /> : null}
    </div>
  );
}
