(print "emoji: 😀 🚀 👨‍👩‍👧")
