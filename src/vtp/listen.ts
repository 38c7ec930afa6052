/**
 * Binding a VTP listener. With no host given we bind '::' (IPv6 and, on dual-stack systems,
 * IPv4 too; IPv4 peers then appear as ::ffff:a.b.c.d, which whitelists check as IPv4) and fall
 * back to '0.0.0.0' where IPv6 is unavailable. Port 0 means any free port; the chosen one is returned.
 */
import type { Server } from 'node:net';

function listenOnce(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

export async function listenVtp(server: Server, port: number, host: string | undefined): Promise<number> {
  if (host !== undefined) return listenOnce(server, port, host);
  try {
    return await listenOnce(server, port, '::');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    return listenOnce(server, port, '0.0.0.0');
  }
}
