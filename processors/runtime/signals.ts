/**
 * SIGINT and SIGTERM as one stop request, for the monitor and each stage process: the handler
 * runs once whichever comes first (a second signal does nothing more: the stop under way is
 * bounded, processors/runtime/shutdown.ts). Returns what takes the handlers off again.
 */
export function onStopSignal(stop: () => void): () => void {
  let asked = false;
  const once = () => {
    if (asked) return;
    asked = true;
    stop();
  };
  process.once('SIGINT', once);
  process.once('SIGTERM', once);
  return () => {
    process.off('SIGINT', once);
    process.off('SIGTERM', once);
  };
}
