"""The Python anchor of the validation benchmark: ogadf-schema 0.2.4 on every HDU it has a schema for."""
import logging
import sys

from astropy.io import fits
from ogadf_schema import events, irfs

logging.disable(logging.CRITICAL)   # it logs each problem; the timing is what matters here
SCHEMAS = {"EVENTS": events.EVENTS, "GTI": events.GTI, "AEFF_2D": irfs.AEFF_2D, "EDISP_2D": irfs.EDISP_2D,
           "PSF_TABLE": irfs.PSF_TABLE, "PSF_3GAUSS": irfs.PSF_3GAUSS, "PSF_KING": irfs.PSF_KING,
           "BKG_2D": irfs.BKG_2D, "BKG_3D": irfs.BKG_3D, "RAD_MAX_2D": irfs.RAD_MAX}
checked = 0
for path in sys.argv[1:]:
    with fits.open(path) as h:
        for hdu in h[1:]:
            kind = hdu.header.get("HDUCLAS4") or hdu.header.get("HDUCLAS1")
            if kind in SCHEMAS:
                SCHEMAS[kind].validate_hdu(hdu, onerror="log")
                checked += 1
print(f"checked={checked}")
