"""Encoding replay frames with the ffmpeg binary that ``imageio-ffmpeg`` ships.

Raw RGBA frames are piped to ffmpeg's stdin (an argument list, never a shell). MP4: H.264 in
yuv420p with the index at the front (plays in PowerPoint, Keynote and browsers). GIF: two
passes, ``palettegen`` on sample frames, then ``paletteuse`` on the stream (no dithering: the
frames are flat colours), so the file is small and the colours are the map's.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import imageio_ffmpeg

Frames = Iterable[bytes | memoryview]


def args(fmt: str, size: tuple[int, int], fps: int, out: Path, palette: Path | None = None) -> list[str]:
    """The ffmpeg argument list reading raw RGBA frames on stdin and writing ``out`` ('mp4', 'gif', 'palette')."""
    head = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
            "-pix_fmt", "rgba", "-s", f"{size[0]}x{size[1]}", "-framerate", str(fps), "-i", "-"]
    if fmt == "mp4":
        return [*head, "-an", "-c:v", "libx264", "-preset", "medium", "-tune", "animation", "-crf", "20",
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)]
    if fmt == "gif":
        return [*head, "-i", str(palette), "-lavfi", "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle",
                "-loop", "0", "-f", "gif", str(out)]
    if fmt == "palette":
        return [*head, "-vf", "palettegen=max_colors=256:stats_mode=full", "-frames:v", "1", str(out)]
    raise ValueError(f"unknown ffmpeg output {fmt}")


def pipe(argv: list[str], frames: Frames) -> None:
    """Run ffmpeg with ``argv`` and write every frame to its stdin; RuntimeError with its message on failure."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        try:
            for frame in frames:
                proc.stdin.write(frame)
        except BrokenPipeError:
            pass  # ffmpeg stopped: its exit code and message say why
        finally:
            proc.stdin.close()
            code = proc.wait()
        if code != 0:
            err.seek(0)
            raise RuntimeError(f"ffmpeg failed ({code}): {err.read().decode('utf-8', 'replace').strip()[-800:]}")


def write_mp4(frames: Frames, size: tuple[int, int], fps: int, out: Path) -> None:
    """Encode ``frames`` (RGBA, ``size``) as an H.264 MP4."""
    pipe(args("mp4", size, fps, out), frames)


def write_gif(samples: Frames, frames: Frames, size: tuple[int, int], fps: int, out: Path) -> None:
    """Encode ``frames`` as a looping GIF with one palette made from ``samples``."""
    with tempfile.TemporaryDirectory(prefix="palette-") as folder:
        palette = Path(folder) / "palette.png"
        pipe(args("palette", size, fps, palette), samples)
        pipe(args("gif", size, fps, out, palette), frames)
