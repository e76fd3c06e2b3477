import Testing
import VibectlStore
