"""One module per place a scheduled post can go; ``base`` holds the contract they all meet."""
