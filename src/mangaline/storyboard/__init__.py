"""storyboard."""
