import { describe, expect, it } from 'vitest';
import { clusterDashboardScope, dashboardPath, proxiedLocation } from './cluster-dashboard-proxy.js';

describe('the cluster dashboard proxy', () => {
  it("passes Ray's path and query through, less the bridge's credentials", () => {
    expect(dashboardPath('/clusters/abc/dashboard/')).toBe('/');
    expect(dashboardPath('/clusters/abc/dashboard/static/js/main.js')).toBe('/static/js/main.js');
    expect(dashboardPath('/clusters/abc/dashboard/api/v0/nodes?limit=5&token=t&ticket=x')).toBe('/api/v0/nodes?limit=5');
    // a cluster may be called "dashboard": the key is one segment, whatever it says
    expect(dashboardPath('/clusters/dashboard/dashboard/api/version')).toBe('/api/version');
  });

  it('points redirects back under the proxy', () => {
    const scope = clusterDashboardScope('it');
    expect(scope).toBe('/clusters/it/dashboard');
    expect(proxiedLocation('/#/jobs', scope, 'http://127.0.0.2:8265')).toBe('/clusters/it/dashboard/#/jobs');
    expect(proxiedLocation('http://127.0.0.2:8265/api/x', scope, 'http://127.0.0.2:8265')).toBe('/clusters/it/dashboard/api/x');
    expect(proxiedLocation('http://127.0.0.2:8265', scope, 'http://127.0.0.2:8265')).toBe('/clusters/it/dashboard/');
    expect(proxiedLocation('http://127.0.0.2:82650/x', scope, 'http://127.0.0.2:8265')).toBe('http://127.0.0.2:82650/x');
    // relative ones already are; another site is left alone
    expect(proxiedLocation('static/x', scope, 'http://127.0.0.2:8265')).toBe('static/x');
    expect(proxiedLocation('//elsewhere/x', scope, 'http://127.0.0.2:8265')).toBe('//elsewhere/x');
  });
});
