"""Slips and notices (issue 6): layout → Pillow image or fpdf2 PDF → the spool folder → a printer.

- ``slips``: queue ticket, appointment slip, green-channel visit slip (58/80 mm thermal paper);
- ``notices``: 受理通知书, 一次性告知书, 容缺受理承诺书/通知书, 特殊程序告知书 as A4/A5 PDF;
- ``layout``: the shared top-to-bottom layout (image, PDF or text preview), ``qr``, ``fonts``;
- ``backends``: the spool folder, ESC/POS (``thermal``, python-escpos) and CUPS behind one interface;
- ``jobs``: a slip or notice rendered into PNG, PDF and ESC/POS bytes; ``samples``: test data.
"""
