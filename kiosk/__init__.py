"""The market kiosk (扫码查询终端): a program of its own that reads pack codes from a camera
(or a video file, or a folder of images), asks the Gongzhi server for the trace view over
HTTP, keeps working offline, and shows the answer on a local web page for Chromium in kiosk
mode. It imports nothing from the server's packages."""

__version__ = "0.1.0"
