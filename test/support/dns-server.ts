// A real DNS server on loopback for tests: answers TXT and A queries from records the test controls
// (R-VALIDATION-RECORDS). UDP only, which is what node:dns's resolver uses for small answers.
import { createSocket, type Socket } from 'node:dgram';
import { type AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export class TestDnsServer {
  private readonly socket: Socket = createSocket('udp4');
  private readonly txt = new Map<string, string[]>();
  private readonly a = new Map<string, string>();
  /** Every question asked, for assertions ("the operator looked this up"). */
  readonly queries: { name: string; type: string }[] = [];

  async start(): Promise<string> {
    this.socket.on('message', (msg, rinfo) => {
      let query;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const answers: dnsPacket.Answer[] = [];
      for (const q of query.questions ?? []) {
        const name = q.name.toLowerCase();
        this.queries.push({ name, type: q.type });
        if (q.type === 'TXT') for (const v of this.txt.get(name) ?? []) answers.push({ type: 'TXT', name: q.name, ttl: 1, class: 'IN', data: [v] });
        if (q.type === 'A') {
          const ip = this.a.get(name) ?? this.a.get(`*.${name.split('.').slice(1).join('.')}`);
          if (ip) answers.push({ type: 'A', name: q.name, ttl: 1, class: 'IN', data: ip });
        }
      }
      const response = dnsPacket.encode({
        id: query.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answers.length === 0 ? 3 : 0),
        questions: query.questions ?? [], answers,
      });
      this.socket.send(response, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    const { port } = this.socket.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  setTxt(name: string, values: string[]): void {
    this.txt.set(name.toLowerCase(), values);
  }

  removeTxt(name: string): void {
    this.txt.delete(name.toLowerCase());
  }

  setA(name: string, ip: string): void {
    this.a.set(name.toLowerCase(), ip);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
