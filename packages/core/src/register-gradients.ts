// tfjs-core ships its gradients and the chained tensor methods (`x.square()`, ...) as side-effect
// modules outside its main entry. They are bundled into this package's build (see tsup.config.ts)
// and register themselves into the engine's global registries.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
