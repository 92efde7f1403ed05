/** `podium serve`: the Podium server in this process (what `npm start` runs for the API). */
export interface ServeOptions {
  port?: string;
  host?: string;
  config?: string;
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  if (options.port !== undefined) process.env.PORT = options.port;
  if (options.host !== undefined) process.env.HOST = options.host;
  if (options.config !== undefined) process.env.PODIUM_CONFIG = options.config;
  await import("../../../server/src/main.ts");
}
