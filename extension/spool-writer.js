// Keyward's spool writer: a dedicated worker of the export page, where the Origin Private File
// System offers synchronous access handles, many times faster than a page's writable streams
// for pages of a megabyte. It decides nothing: it writes the bytes it is given to the file it is
// named, one file at a time, and answers with the sequence number it was given (and the error, if
// any).
let turn = Promise.resolve();

async function write({ folder, name, bytes }) {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(folder, { create: true });
  const file = await dir.getFileHandle(name, { create: true });
  const handle = await file.createSyncAccessHandle();
  try {
    handle.truncate(0);
    let at = 0;
    while (at < bytes.length) at += handle.write(bytes.subarray(at), { at });
    handle.flush();
  } finally {
    handle.close();
    // The copy's megabyte freed now rather than at this worker's next collection.
    bytes.buffer.transfer?.(0);
  }
}

onmessage = ({ data }) => {
  turn = turn.then(() =>
    write(data).then(
      () => postMessage({ seq: data.seq }),
      (error) => postMessage({ seq: data.seq, error: error instanceof Error ? error.message : String(error) }),
    ),
  );
};
