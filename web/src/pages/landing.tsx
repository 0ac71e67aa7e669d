import { Link } from 'wouter-preact';
import { useI18n } from '../i18n/i18n';

/** What a signed-out visitor sees first: what medstock does, then sign-up and sign-in. */
export default function LandingPage() {
  const { t } = useI18n();
  return (
    <div class="page landing" data-page="landing">
      <h1>{t('landing.title')}</h1>
      <p class="lead">{t('landing.lead')}</p>
      <ul>
        <li>{t('landing.point.warn')}</li>
        <li>{t('landing.point.explain')}</li>
        <li>{t('landing.point.scan')}</li>
      </ul>
      <div class="actions">
        <Link href="/signup" class="button primary" data-testid="landing-signup">
          {t('landing.signup')}
        </Link>
        <Link href="/login" class="button" data-testid="landing-login">
          {t('landing.login')}
        </Link>
        <Link href="/password-reset">{t('landing.forgot')}</Link>
      </div>
    </div>
  );
}
