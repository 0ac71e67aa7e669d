import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SECRET_NAME } from './support/deploy-files.ts';

/**
 * The SaaS Helm chart, checked without a helm binary (none on this machine). The chart is
 * written so that this is sound: its templates use no helpers, no toYaml and no range; each
 * `{{ … }}` is `.Release.Name` or a `.Values` path (optionally `| quote`) standing for one scalar,
 * and control lines (`{{- if … }}`, `{{- end }}`) stand alone. The small renderer below fills
 * those from values.yaml, drops the control lines (every optional part is rendered), and refuses
 * any other expression, so a template that would need real Helm to read fails here first.
 */
const chart = resolve(import.meta.dirname, '../../infra/deploy/helm/medstock');
const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const RELEASE = 'medstock';

function lookup(path: string): unknown {
  let v: unknown = values;
  for (const key of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[key];
  if (v === undefined || (typeof v === 'object' && v !== null))
    throw new Error(`.Values.${path} is not a scalar in values.yaml`);
  return v;
}

function render(template: string): string {
  return template
    .split('\n')
    .filter((line) => !/^\s*\{\{-?\s*(if|else|end|with)\b[^}]*\}\}\s*$/.test(line))
    .map((line) =>
      line.replace(/\{\{-?\s*(.+?)\s*-?\}\}/g, (_, expr: string) => {
        const [head, ...pipes] = expr.split('|').map((s) => s.trim());
        let v: unknown;
        if (head === '.Release.Name') v = RELEASE;
        else if (head!.startsWith('.Values.')) v = lookup(head!.slice('.Values.'.length));
        else throw new Error(`unsupported template expression {{ ${expr} }}`);
        for (const pipe of pipes) {
          if (pipe !== 'quote') throw new Error(`unsupported pipe in {{ ${expr} }}`);
          v = JSON.stringify(String(v));
        }
        return String(v);
      }),
    )
    .join('\n');
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  readinessProbe?: { httpGet?: { path: string; port: string }; tcpSocket?: unknown };
  livenessProbe?: { httpGet?: { path: string; port: string }; tcpSocket?: unknown };
  resources?: { requests?: { cpu?: string; memory?: string } };
}
interface K8sObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown> & {
    template?: { spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } };
  };
  data?: Record<string, string>;
}

const templateFiles = readdirSync(join(chart, 'templates')).filter((f) => f.endsWith('.yaml'));
const objects: K8sObject[] = templateFiles.flatMap((file) =>
  parseAllDocuments(render(readFileSync(join(chart, 'templates', file), 'utf8'))).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  }),
);
const find = (kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === `${RELEASE}-${name}`);
  if (!o) throw new Error(`no ${kind} ${RELEASE}-${name}`);
  return o;
};
const container = (o: K8sObject) => o.spec.template!.spec.containers[0]!;
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const keys = (values.secrets as { keys: Record<string, string> }).keys;

describe('Helm chart (SaaS)', () => {
  it('renders to the API, worker and PgBouncer Deployments, their Services, the HPA, the migration Job, settings and ingress', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/medstock-settings',
        'Deployment/medstock-api',
        'Deployment/medstock-pgbouncer',
        'Deployment/medstock-worker',
        'HorizontalPodAutoscaler/medstock-api',
        'Ingress/medstock-api',
        'Job/medstock-migrate',
        'Service/medstock-api',
        'Service/medstock-pgbouncer',
      ].sort(),
    );
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false); // secrets live outside the chart
  });

  it("probes the API and the worker on /readyz (readiness) and /healthz (liveness), on the worker's WORKER_HTTP_PORT", () => {
    for (const [name, port] of [
      ['api', (values.api as { port: number }).port],
      ['worker', (values.worker as { port: number }).port],
    ] as const) {
      const c = container(find('Deployment', name));
      expect(c.readinessProbe?.httpGet, name).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe?.httpGet, name).toEqual({ path: '/healthz', port: 'http' });
      expect(c.ports, name).toEqual([{ name: 'http', containerPort: port }]);
    }
    expect(env(container(find('Deployment', 'worker')), 'WORKER_HTTP_PORT')?.value).toBe('3001');
    expect(env(container(find('Deployment', 'api')), 'PORT')?.value).toBe('3000');
  });

  it('requests CPU and memory for every container and runs none as root', () => {
    for (const o of objects.filter((x) => x.spec?.template)) {
      const c = container(o);
      expect(c.resources?.requests?.cpu, o.metadata.name).toMatch(/^\d+m?$/);
      expect(c.resources?.requests?.memory, o.metadata.name).toMatch(/^\d+[MG]i$/);
      expect(o.spec.template!.spec.securityContext?.runAsNonRoot, o.metadata.name).toBe(true);
    }
  });

  it('scales the API on CPU between the configured bounds', () => {
    const hpa = find('HorizontalPodAutoscaler', 'api').spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
      maxReplicas: number;
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'medstock-api' });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
  });

  it('migrates in a pre-install/pre-upgrade hook Job, straight to PostgreSQL, before new pods start', () => {
    const job = find('Job', 'migrate');
    expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const c = container(job);
    expect(c.command).toEqual(['node', '--enable-source-maps', 'app/migrate.cli.js']);
    expect(c.image).toMatch(/-api:/);
    expect(env(c, 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(keys.databaseUrlDirect);
    // A hook runs before the chart's ConfigMap exists: it reads none.
    expect(c.envFrom?.some((e) => e.configMapRef)).toBe(false);
  });

  it("pools the API's connections with PgBouncer in transaction mode; the worker and migrations bypass it", () => {
    const bouncer = container(find('Deployment', 'pgbouncer'));
    expect(bouncer.image).toMatch(/^(edoburu|bitnami)\/pgbouncer:/);
    expect(env(bouncer, 'POOL_MODE')?.value).toBe('transaction');
    expect(env(bouncer, 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(keys.databaseUrlDirect);
    expect(bouncer.readinessProbe?.tcpSocket).toBeDefined();
    expect(env(container(find('Deployment', 'api')), 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(
      keys.databaseUrl,
    );
    // Session advisory locks (db/src/session-lock.ts) need a session: not through transaction pooling.
    expect(env(container(find('Deployment', 'worker')), 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe(
      keys.databaseUrlDirect,
    );
  });

  it('takes every secret from the Secret object by secretKeyRef, never inline', () => {
    const secretName = (values.secrets as { name: string }).name;
    let checked = 0;
    for (const o of objects.filter((x) => x.spec?.template)) {
      for (const e of container(o).env ?? []) {
        if (!SECRET_NAME.test(e.name)) continue;
        checked++;
        expect(e.value, `${o.metadata.name} ${e.name}`).toBeUndefined();
        expect(e.valueFrom?.secretKeyRef?.name, `${o.metadata.name} ${e.name}`).toBe(secretName);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    // Further database cells (CELL_<NAME>_URL: hybrid, scale-out) come from a Secret as a whole.
    for (const name of ['api', 'worker', 'migrate']) {
      const o = find(name === 'migrate' ? 'Job' : 'Deployment', name);
      expect(container(o).envFrom, name).toContainEqual({
        secretRef: { name: (values.secrets as { cells: string }).cells, optional: true },
      });
    }
    const settings = find('ConfigMap', 'settings').data!;
    expect(Object.keys(settings).filter((k) => SECRET_NAME.test(k))).toEqual([]);
    expect(settings.NODE_ENV).toBe('production');
    expect(settings.DEPLOYMENT_MODE).toBe('saas');
  });

  it('refuses template expressions it cannot stand in for (so the check above stays sound)', () => {
    expect(() => render('resources: {{ toYaml .Values.api.resources }}')).toThrow(
      /unsupported template expression/,
    );
    expect(() => render('x: {{ .Values.api.resources }}')).toThrow(/not a scalar/);
    expect(render('x: {{ .Values.api.port | quote }}')).toBe('x: "3000"');
  });
});
