import { render } from 'preact';
import { onSessionExpired } from './api/client';
import { restoreSession, sessionLost } from './api/session';
import { App } from './app';
import { I18nProvider } from './i18n/i18n';
import './styles.css';

onSessionExpired(sessionLost);
void restoreSession();

const root = document.getElementById('app');
if (root)
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
    root,
  );
