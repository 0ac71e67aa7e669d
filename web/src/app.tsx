import { Link, Redirect, Route, Switch, useLocation } from 'wouter-preact';
import { signOut, useSession } from './api/session';
import { NotificationBell } from './components/notification-bell';
import { Loading } from './components/ui';
import { type Locale, useI18n } from './i18n/i18n';
import { lazyPage } from './lib/lazy';
import { NAV } from './nav';
import DashboardPage from './pages/dashboard';

const LoginPage = lazyPage(() => import('./pages/login'));
const LandingPage = lazyPage(() => import('./pages/landing'));
const SignupPage = lazyPage(() => import('./pages/signup'));
const SignupConfirmPage = lazyPage(() => import('./pages/signup-confirm'));
const PasswordResetPage = lazyPage(() => import('./pages/password-reset'));
const PasswordResetConfirmPage = lazyPage(() => import('./pages/password-reset-confirm'));
const AcceptInvitationPage = lazyPage(() => import('./pages/accept-invitation'));
const AlertsPage = lazyPage(() => import('./pages/alerts'));
const AlertDetailPage = lazyPage<{ id: string }>(() => import('./pages/alert-detail'));
const StockPage = lazyPage(() => import('./pages/stock'));
const MovementsPage = lazyPage(() => import('./pages/movements'));
const InspectionsPage = lazyPage(() => import('./pages/inspections'));
const RequisitionsPage = lazyPage(() => import('./pages/requisitions'));
const RecallsPage = lazyPage(() => import('./pages/recalls'));
const ConsignmentPage = lazyPage(() => import('./pages/consignment'));
const StockReportsPage = lazyPage(() => import('./pages/stock-reports'));
const StocktakePage = lazyPage<{ id?: string }>(() => import('./pages/stocktake'));
const PurchasingPage = lazyPage(() => import('./pages/purchasing'));
const PurchaseOrderPrintPage = lazyPage<{ id: string }>(() => import('./pages/purchase-order-print'));
const SupplierPerformancePage = lazyPage(() => import('./pages/supplier-performance'));
const ImportsPage = lazyPage(() => import('./pages/imports'));
const BacktestPage = lazyPage(() => import('./pages/backtest'));
const SettingsPage = lazyPage<{ section: string }>(() => import('./pages/settings/settings'));
const MasterDataPage = lazyPage<{ section: string }>(() => import('./pages/master-data'));
const StockCardPage = lazyPage<{ id: string }>(() => import('./pages/stock-card'));
const ProceduresPage = lazyPage(() => import('./pages/procedures'));
const AnomaliesPage = lazyPage(() => import('./pages/anomalies'));
const AuditPage = lazyPage(() => import('./pages/audit'));
const ExportsPage = lazyPage(() => import('./pages/exports'));
const LabelsPage = lazyPage(() => import('./pages/labels'));

export function LanguageToggle() {
  const { locale, setLocale, t } = useI18n();
  const next: Locale = locale === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <button
      type="button"
      class="lang-toggle"
      data-testid="lang-toggle"
      lang={next}
      aria-label={t('header.switchLanguage')}
      onClick={() => setLocale(next)}
    >
      {next === 'en' ? 'English' : '中文'}
    </button>
  );
}

function Header() {
  const { t } = useI18n();
  const session = useSession();
  const [location] = useLocation();
  const me = session.me;
  return (
    <header class="app-header">
      <Link href="/" class="brand">
        <span aria-hidden="true">◆</span> medstock <small>{t('app.tagline')}</small>
      </Link>
      {me && (
        <nav aria-label={t('nav.label')}>
          {NAV.filter((n) => !n.scope || me.scopes.includes(n.scope)).map((n) => {
            const active = n.href === '/' ? location === '/' : location.startsWith(n.href);
            return (
              <Link
                key={n.href}
                href={n.href}
                class={active ? 'active' : ''}
                aria-current={active ? 'page' : undefined}
              >
                {t(n.label)}
              </Link>
            );
          })}
        </nav>
      )}
      <div class="header-end">
        {me && <NotificationBell />}
        <LanguageToggle />
        {me && (
          <>
            <span class="who" title={me.email ?? ''}>
              {me.organization.name}
            </span>
            <button type="button" class="link-button" onClick={() => void signOut()}>
              {t('header.signOut')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

export function App() {
  const session = useSession();
  if (session.status === 'loading') {
    return (
      <main class="app-main">
        <Loading />
      </main>
    );
  }
  if (session.status === 'signed-out') {
    return (
      <>
        <Header />
        <main class="app-main narrow">
          <Switch>
            <Route path="/accept-invitation">
              <AcceptInvitationPage />
            </Route>
            <Route path="/signup">
              <SignupPage />
            </Route>
            <Route path="/signup/confirm">
              <SignupConfirmPage />
            </Route>
            <Route path="/password-reset">
              <PasswordResetPage />
            </Route>
            <Route path="/password-reset/confirm">
              <PasswordResetConfirmPage />
            </Route>
            <Route path="/login">
              <LoginPage />
            </Route>
            <Route path="/">
              <LandingPage />
            </Route>
            <Route>
              <Redirect to="/login" replace />
            </Route>
          </Switch>
        </main>
      </>
    );
  }
  return (
    <>
      <Header />
      <main class="app-main">
        <Switch>
          <Route path="/">
            <DashboardPage />
          </Route>
          {/* Signed in too: someone already in one organisation accepts an invitation to another. */}
          <Route path="/accept-invitation">
            <AcceptInvitationPage />
          </Route>
          <Route path="/alerts">
            <AlertsPage />
          </Route>
          <Route path="/alerts/:id">{(p: { id: string }) => <AlertDetailPage id={p.id} />}</Route>
          <Route path="/stock">
            <StockPage />
          </Route>
          <Route path="/movements">
            <MovementsPage />
          </Route>
          <Route path="/inspections">
            <InspectionsPage />
          </Route>
          <Route path="/requisitions">
            <RequisitionsPage />
          </Route>
          <Route path="/recalls">
            <RecallsPage />
          </Route>
          <Route path="/consignment">
            <ConsignmentPage />
          </Route>
          <Route path="/stock-reports">
            <StockReportsPage />
          </Route>
          <Route path="/stocktake">
            <StocktakePage />
          </Route>
          <Route path="/stocktake/:id">{(p: { id: string }) => <StocktakePage id={p.id} />}</Route>
          <Route path="/imports">
            <ImportsPage />
          </Route>
          <Route path="/purchasing">
            <PurchasingPage />
          </Route>
          <Route path="/purchasing/orders/:id/print">
            {(p: { id: string }) => <PurchaseOrderPrintPage id={p.id} />}
          </Route>
          <Route path="/supplier-performance">
            <SupplierPerformancePage />
          </Route>
          <Route path="/backtest">
            <BacktestPage />
          </Route>
          <Route path="/master-data">
            <Redirect to="/master-data/items" replace />
          </Route>
          <Route path="/master-data/:section">
            {(p: { section: string }) => <MasterDataPage section={p.section} />}
          </Route>
          <Route path="/items/:id">{(p: { id: string }) => <StockCardPage id={p.id} />}</Route>
          <Route path="/procedures">
            <ProceduresPage />
          </Route>
          <Route path="/anomalies">
            <AnomaliesPage />
          </Route>
          <Route path="/audit">
            <AuditPage />
          </Route>
          <Route path="/exports">
            <ExportsPage />
          </Route>
          <Route path="/labels">
            <LabelsPage />
          </Route>
          {/* The backtest had a settings section before it had its own page. */}
          <Route path="/settings/backtests">
            <Redirect to="/backtest" replace />
          </Route>
          <Route path="/settings">
            <Redirect to="/settings/sites" replace />
          </Route>
          <Route path="/settings/:section">
            {(p: { section: string }) => <SettingsPage section={p.section} />}
          </Route>
          <Route path="/login">
            <Redirect to="/" replace />
          </Route>
          <Route path="/signup">
            <Redirect to="/" replace />
          </Route>
          {/* Signed in too: a confirmation link creates another organisation; a reset link works. */}
          <Route path="/signup/confirm">
            <SignupConfirmPage />
          </Route>
          <Route path="/password-reset/confirm">
            <PasswordResetConfirmPage />
          </Route>
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </main>
    </>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div class="card">
      <h1>{t('error.pageNotFound')}</h1>
      <Link href="/">{t('nav.dashboard')}</Link>
    </div>
  );
}
