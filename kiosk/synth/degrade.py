"""What a market camera does to a printed code, as pure image functions ``(image, rng) ->
image`` on grayscale or BGR uint8 arrays: perspective, blur, motion, noise, glare, low light,
wrinkles, a phone screen's pixel grid and moiré, JPEG, low contrast, inversion."""

from __future__ import annotations

import random

import cv2
import numpy as np


def perspective(image: np.ndarray, rng: random.Random, *, strength: float = 0.18):
    """The image seen at an angle: each corner moved by up to ``strength`` of the size;
    returns ``(warped, matrix)`` on a canvas of the same size (white outside)."""
    h, w = image.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = [[rng.uniform(0, strength) * w, rng.uniform(0, strength) * h] for _ in range(4)]
    signs = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
    dst = np.float32([[x + sx * j[0], y + sy * j[1]]
                      for (x, y), (sx, sy), j in zip(src, signs, jitter)])
    matrix = cv2.getPerspectiveTransform(src, dst)
    border = 255 if image.ndim == 2 else (255, 255, 255)
    out = cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                              borderValue=border)
    return out, matrix


def gaussian_blur(image: np.ndarray, rng: random.Random, *, sigma: tuple = (0.8, 2.6)):
    return cv2.GaussianBlur(image, (0, 0), rng.uniform(*sigma))


def motion_blur(image: np.ndarray, rng: random.Random, *, length: tuple = (4, 12)):
    n = rng.randint(*length)
    kernel = np.zeros((n, n), np.float32)
    kernel[n // 2, :] = 1.0 / n
    rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (n, n))
    kernel /= max(kernel.sum(), 1e-6)
    return cv2.filter2D(image, -1, kernel)


def noise(image: np.ndarray, rng: random.Random, *, sigma: tuple = (6, 22)):
    gen = np.random.default_rng(rng.getrandbits(32))
    grain = gen.normal(0, rng.uniform(*sigma), image.shape)
    return np.clip(image.astype(np.float32) + grain, 0, 255).astype(np.uint8)


def glare(image: np.ndarray, rng: random.Random):
    """A specular highlight: a bright soft ellipse washing part of the image out."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    rx, ry = rng.uniform(0.1, 0.35) * w, rng.uniform(0.1, 0.35) * h
    blob = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
    gain = rng.uniform(120, 230) * blob
    if image.ndim == 3:
        gain = gain[..., None]
    return np.clip(image.astype(np.float32) + gain, 0, 255).astype(np.uint8)


def low_light(image: np.ndarray, rng: random.Random):
    """Underexposed: scaled down, then sensor noise at the dark level."""
    dark = image.astype(np.float32) * rng.uniform(0.12, 0.35) + rng.uniform(0, 10)
    gen = np.random.default_rng(rng.getrandbits(32))
    dark += gen.normal(0, rng.uniform(2, 6), image.shape)
    return np.clip(dark, 0, 255).astype(np.uint8)


def low_contrast(image: np.ndarray, rng: random.Random):
    lo, hi = rng.uniform(60, 110), rng.uniform(150, 200)
    return (lo + image.astype(np.float32) * (hi - lo) / 255).astype(np.uint8)


def wrinkles(image: np.ndarray, rng: random.Random):
    """A crumpled pouch: smooth random displacement and shading along the folds."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx = np.zeros((h, w), np.float32)
    dy = np.zeros((h, w), np.float32)
    shade = np.zeros((h, w), np.float32)
    for _ in range(rng.randint(2, 4)):
        angle, period = rng.uniform(0, np.pi), rng.uniform(0.2, 0.6) * max(h, w)
        phase, amp = rng.uniform(0, 2 * np.pi), rng.uniform(0.002, 0.007) * max(h, w)
        wave = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period + phase)
        dx += amp * wave * np.sin(angle)
        dy += amp * wave * np.cos(angle)
        shade += wave * rng.uniform(10, 30)
    warped = cv2.remap(image, xx + dx, yy + dy, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    if warped.ndim == 3:
        shade = shade[..., None]
    return np.clip(warped.astype(np.float32) + shade, 0, 255).astype(np.uint8)


def screen(image: np.ndarray, rng: random.Random):
    """A code shown on a phone screen: light-emitting (dim black, blueish white), a pixel
    grid and a moiré interference pattern."""
    h, w = image.shape[:2]
    base = 40 + image.astype(np.float32) * rng.uniform(0.55, 0.8)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    pitch = rng.uniform(2.5, 4.5)
    grid = 0.85 + 0.15 * (np.sin(xx * 2 * np.pi / pitch) * np.sin(yy * 2 * np.pi / pitch))
    moire = 1 + 0.12 * np.sin(xx * rng.uniform(0.02, 0.06) + yy * rng.uniform(0.02, 0.06))
    if image.ndim == 3:
        grid, moire = grid[..., None], moire[..., None]
    return np.clip(base * grid * moire, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, rng: random.Random, *, quality: tuple = (25, 60)):
    _, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(*quality)])
    flag = cv2.IMREAD_GRAYSCALE if image.ndim == 2 else cv2.IMREAD_COLOR
    return cv2.imdecode(data, flag)


def invert(image: np.ndarray, rng: random.Random):
    return 255 - image


# name -> function; scenes pick a few of these per image
ON_LABEL = {"wrinkles": wrinkles, "screen": screen, "invert": invert}
ON_FRAME = {"blur": gaussian_blur, "motion": motion_blur, "noise": noise, "glare": glare,
            "low_light": low_light, "low_contrast": low_contrast, "jpeg": jpeg}
