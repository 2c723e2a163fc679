"""The comparison peer of bench/loader.sh (benchmark only, never part of HSPNet): CLIP's
preprocessing as the original runs it, PIL + torchvision on one thread, timed like LoaderBench.

    python3 bench/pil_peer.py JPEG_DIR [--size 224] [--batch 64] [--images-per-run 1024] [--dump DIR]

PIL open -> convert RGB -> Resize(size, bicubic) -> CenterCrop(size) -> ToTensor ->
Normalize(CLIP mean/std), stacked into batches of --batch, over the folder's JPEGs in name
order, round and round: a warm-up of half a run, then three runs of --images-per-run images.
Prints the median images/s of the three as the last line. --dump DIR also writes each image's
tensor as raw float32 (DIR/NAME.f32), for LoaderBench --pillow DIR to compare ours with, bit for bit.
"""
import argparse
import os
import statistics
import time

import torch
from PIL import Image
from torchvision import transforms

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("images")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--images-per-run", type=int, default=1024)
    p.add_argument("--dump")
    a, _ = p.parse_known_args()   # LoaderBench's other options (--resize, --threads) are not the peer's
    torch.set_num_threads(1)
    files = sorted(os.path.join(a.images, f) for f in os.listdir(a.images) if f.lower().endswith((".jpg", ".jpeg")))
    if not files:
        raise SystemExit(a.images + ": no JPEG files")
    t = transforms.Compose([
        transforms.Resize(a.size, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(a.size),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])

    def run(n):
        done, i = 0, 0
        while done < n:
            k = min(a.batch, n - done)
            batch = []
            for _ in range(k):
                with Image.open(files[i % len(files)]) as im:
                    batch.append(t(im.convert("RGB")))
                i += 1
            torch.stack(batch)
            done += k
        return done

    if a.dump:
        os.makedirs(a.dump, exist_ok=True)
        for f in files:
            with Image.open(f) as im:
                x = t(im.convert("RGB"))
            x.numpy().astype("<f4").tofile(os.path.join(a.dump, os.path.basename(f) + ".f32"))

    run(a.images_per_run // 2 + 1)
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        n = run(a.images_per_run)
        rates.append(n / (time.perf_counter() - start))
    print("%.0f" % statistics.median(rates))


if __name__ == "__main__":
    main()
