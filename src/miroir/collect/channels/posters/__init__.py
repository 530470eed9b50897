"""QR posters: a printable page per unit (and journey moment) leading to a wave's open link.

Not an invitation channel (no ``CHANNEL``): a poster prints the open link of a wave that
has them, and whoever scans it answers as through that link. ``drawing`` makes the PDF
and PNG files, ``views`` serves them and the short address the code carries.
"""
