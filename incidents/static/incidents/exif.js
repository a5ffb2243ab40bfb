// The GPS position written by a camera into a JPEG's EXIF (APP1) block, read in the browser so
// that the resident sees where the photo puts the pin before choosing to use it. Nothing else
// of the EXIF is read; the server strips all of it from the stored photo.

const GPS_IFD = 0x8825;

function rational(view, offset, little) {
  const num = view.getUint32(offset, little);
  const den = view.getUint32(offset + 4, little);
  return den ? num / den : NaN;
}

function readIfd(view, tiff, offset, little) {
  const entries = new Map();
  const count = view.getUint16(tiff + offset, little);
  for (let i = 0; i < count; i++) {
    const e = tiff + offset + 2 + i * 12;
    const tag = view.getUint16(e, little);
    const type = view.getUint16(e + 2, little);
    const n = view.getUint32(e + 4, little);
    entries.set(tag, { type, n, at: e + 8, value: view.getUint32(e + 8, little) });
  }
  return entries;
}

function degrees(view, tiff, entry, little) {
  if (!entry || entry.type !== 5 || entry.n < 3) return NaN; // three RATIONALs: d, m, s
  const at = tiff + entry.value;
  return rational(view, at, little) + rational(view, at + 8, little) / 60 + rational(view, at + 16, little) / 3600;
}

function ref(view, entry) {
  return entry ? String.fromCharCode(view.getUint8(entry.at)) : "";
}

/** {lat, lng} from a JPEG file's EXIF GPS tags, or null (not a JPEG, no GPS, unreadable). */
export async function gpsOfPhoto(file) {
  try {
    const buffer = await file.slice(0, 256 * 1024).arrayBuffer();
    const view = new DataView(buffer);
    if (view.getUint16(0) !== 0xffd8) return null;
    let pos = 2;
    while (pos + 4 < view.byteLength) {
      const marker = view.getUint16(pos);
      const size = view.getUint16(pos + 2);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null; // image data: no EXIF
      if (marker === 0xffe1 && view.getUint32(pos + 4) === 0x45786966) { // "Exif"
        const tiff = pos + 10;
        const little = view.getUint16(tiff) === 0x4949;
        const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, little), little);
        const gpsPointer = ifd0.get(GPS_IFD);
        if (!gpsPointer) return null;
        const gps = readIfd(view, tiff, gpsPointer.value, little);
        let lat = degrees(view, tiff, gps.get(2), little);
        let lng = degrees(view, tiff, gps.get(4), little);
        if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null;
        if (ref(view, gps.get(1)) === "S") lat = -lat;
        if (ref(view, gps.get(3)) === "W") lng = -lng;
        if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return null;
        return { lat, lng };
      }
      pos += 2 + size;
    }
  } catch {
    return null; // a damaged or truncated file: no position, the photo is still sent
  }
  return null;
}
