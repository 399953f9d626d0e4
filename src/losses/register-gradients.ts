// tfjs-core registers no op gradients by itself (its `register_all_gradients` entry is an ESM file that plain Node
// cannot load), while tfjs-layers registers all of them in both its Node and its bundler builds. Losses exist to be
// differentiated, so importing them must make `tf.grad` work; tfjs-layers is a required peer anyway.
import '@tensorflow/tfjs-layers';
