// The test DNS server answers real queries from node:dns (so the integration tests' validation checks
// talk to a real resolver path).
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { TestDnsServer } from '../../support/dns-server.ts';

describe('test DNS server on loopback', () => {
  it('R-VALIDATION-RECORDS answers TXT and A queries it was given, NXDOMAIN otherwise', async () => {
    const dns = new TestDnsServer();
    const addr = await dns.start();
    try {
      dns.setTxt('_dnsauth.shop.example.com', ['value-1']);
      dns.setA('shop.example.com', '127.0.0.1');
      const r = new Resolver({ timeout: 1000, tries: 1 });
      r.setServers([addr]);
      assert.deepEqual(await r.resolveTxt('_dnsauth.shop.example.com'), [['value-1']]);
      assert.deepEqual(await r.resolve4('shop.example.com'), ['127.0.0.1']);
      await assert.rejects(r.resolveTxt('_dnsauth.other.example.com'), /ENOTFOUND/);
    } finally {
      await dns.stop();
    }
  });
});
