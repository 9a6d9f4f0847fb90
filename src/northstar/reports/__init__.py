"""Reports & sharing: the board report, the weekly product brief and shareable roadmap links."""
