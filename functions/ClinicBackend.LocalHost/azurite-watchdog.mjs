// Runs Azurite as a child and stops it when the .NET process that asked for it is gone,
// so a crashed test run or host never leaves Azurite behind. Closing stdin stops it too (AzuriteProcess.StopAsync):
// SIGTERM lets Azurite close its ports and save its data.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [parentPid, azuriteJs, ...args] = process.argv.slice(2);
const pointReads = fileURLToPath(new URL('./azurite-point-reads.cjs', import.meta.url));
const child = spawn(process.execPath, ['--require', pointReads, azuriteJs, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };

setInterval(() => {
  try { process.kill(Number(parentPid), 0); } catch { stop(); }
}, 500);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
child.on('exit', code => process.exit(code ?? 0));
