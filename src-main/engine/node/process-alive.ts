/**
 * Whether a process with this pid exists on this machine. False only when the
 * OS says there is no such process: EPERM means it exists but is not ours.
 * Used to tell a crashed process's leftovers (locks, temp files) from a live one's.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
