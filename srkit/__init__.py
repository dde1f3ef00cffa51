"""srkit: a teaching and exploration kit for deep-learning image super-resolution.

Modules (imported on demand, so ``import srkit`` is fast and does not load TensorFlow), each for one idea:

* :mod:`srkit.io`: reading and writing images, with a documented policy for every kind of file
* :mod:`srkit.data`: the bundled datasets and folders of your own images
* :mod:`srkit.degrade`: MATLAB-exact ``imresize``, blur, noise, JPEG, interpolation baselines
* :mod:`srkit.color`: BT.601 luma (the Y channel papers score) and uint8 quantisation
* :mod:`srkit.metrics`: PSNR/SSIM with the paper protocol, in NumPy and Keras; the texture distance
* :mod:`srkit.scoring`: the benchmark-scoring loop every evaluation goes through
* :mod:`srkit.upscalers`: what counts as an upscaler (a name, a Keras model, a function)
* :mod:`srkit.infer`: running SR models on images of any size (tiled, bounded memory)
* :mod:`srkit.evaluate`: score any upscaler on Set5/Set14/BSD100 as a table; how protocol choices change it
* :mod:`srkit.pipeline`: ``tf.data`` training patches
* :mod:`srkit.burst`: multi-frame bursts, shift-and-add, burst upscaling and scoring
* :mod:`srkit.models`: the architectures and their registry (one spec per model)
* :mod:`srkit.configs`: what defines a training run (``TrainConfig``, ``GANConfig``)
* :mod:`srkit.train`: the training engine (run folder, callbacks, supervised training)
* :mod:`srkit.gan`: GAN fine-tuning, network interpolation, perception-distortion
* :mod:`srkit.zoo`: pretrained models with their cards
* :mod:`srkit.profile`: parameters, FLOPs and latency
* :mod:`srkit.quantize`: post-training int8 quantisation to TFLite, run and measured with the kit's protocol
* :mod:`srkit.quality`: NIQE, a no-reference quality measure, with a pristine model fitted by the kit
* :mod:`srkit.lab`: your own images through every model: compare, export, folders, a blind A/B test
* :mod:`srkit.widgets`, :mod:`srkit.viz`: interactive comparison and static figures
* :mod:`srkit.env`: machine check and smoke mode
* :mod:`srkit.errors`: the errors srkit raises on bad input
* :mod:`srkit.exercises`: the notebooks' exercise checks
* :mod:`srkit.cli`: the ``srkit`` command line

:data:`API` lists the public names of every module (each module's ``__all__``); everything else is private.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: The public API: module -> its public names (the module's ``__all__``).
API: dict[str, tuple[str, ...]] = {
    "io": ('read_image', 'save_image', 'IMAGE_EXTENSIONS', 'DEFAULT_MAX_PIXELS', 'to_uint8',),
    "data": ('data_dir', 'list_datasets', 'list_images', 'load_folder', 'load_benchmark', 'load_training_images',
        'load_validation', 'load_pairs', 'is_validation', 'check_dataset', 'Pair', 'BENCHMARKS', 'VALIDATION',
        'VALIDATION_IMAGES', 'TRAINING_SETS', 'SCALES', 'published_bicubic'),
    "degrade": ('imresize', 'modcrop', 'bicubic_downsample', 'upscale', 'library_resize', 'require_opencv',
        'gaussian_kernel', 'gaussian_blur', 'add_gaussian_noise', 'jpeg_compress', 'Degradation', 'INTERPOLATIONS',
        'MAX_BLUR_SIGMA', 'MAX_KERNEL_SIZE', 'blur_kernel', 'SecondOrderDegradation', 'RESIZE_MODES', 'degradation',
        'DEGRADATIONS'),
    "color": ('Y_COEFFS', 'Y_OFFSET', 'rgb_to_y', 'replace_y', 'replace_y_uint8', 'rgb_to_ycbcr', 'ycbcr_to_rgb',
        'to_uint8', 'round_255'),
    "metrics": ('rgb_to_y', 'to_y_channel', 'crop_border', 'psnr', 'ssim', 'tf_psnr', 'tf_ssim', 'psnr_metric',
        'ssim_metric', 'radial_power_spectrum', 'spectral_log_ratio', 'texture_distance'),
    "scoring": ('METRICS', 'Metric', 'score_image', 'score_pairs', 'score_benchmark', 'mean_scores',),
    "upscalers": ('Upscaler', 'as_upscaler',),
    "infer": ('KerasUpscaler', 'InterpolationUpscaler', 'predict_tiled', 'bicubic_upscale',),
    "evaluate": ('as_upscaler', 'evaluate', 'summarize', 'compare_with_published', 'protocol_effects', 'robustness',
                 'DEGRADED_CONDITIONS', 'gain_table', 'GAIN_MODELS', 'PUBLISHED_X8'),
    "pipeline": ('PatchSampler', 'patch_dataset', 'make_sampler', 'to_channels', 'dihedral', 'rescaled_copies',
                 'check_rescale', 'AUGMENTATIONS', 'FSRCNN_RESCALE'),
    "burst": ('Burst', 'make_burst', 'load_frames', 'shift_and_add', 'BurstSampler', 'evaluate_bursts',
        'upscale_burst', 'check_frames'),
    "models": ('ModelSpec', 'REGISTRY', 'INPUT_KINDS', 'register', 'unregister', 'spec', 'names', 'build',
        'naive_cnn', 'srcnn', 'fsrcnn', 'espcn', 'edsr', 'drcn', 'sequence_rnn', 'multiframe_rnn', 'with_frames',
        'PixelShuffle', 'ResidualScale', 'ConvRecurrent2D', 'PairWithReference', 'FrameSelect', 'WeightedSum',
        'RowRNN', 'BiGRU', 'load_model', 'RepConv2D', 'fuse_repconv', 'collapse', 'rep_espcn', 'edsr_progressive',
        'transfer_weights'),
    "configs": ('JsonConfig', 'TrainConfig', 'GANConfig', 'defaults',),
    "train": ('TrainConfig', 'TrainResult', 'train', 'validate', 'benchmark_scores', 'JsonConfig', 'RunFolder', 'fit_run', 'finished',
        'LivePlot', 'LivePlotBase', 'StepCounter', 'StepTimer', 'TimeBudget', 'NaNStop', 'EpochEnd', 'in_notebook',
        'EarlyStopping', 'best_epoch', 'learning_rate_at', 'make_optimizer', 'StepSchedule', 'lr_range_test',
        'RangeTestResult', 'training_pairs', 'training_psnr', 'with_l1_penalty'),
    "gan": ('discriminator', 'feature_model', 'pixel_loss', 'adversarial_loss', 'feature_matching_loss',
        'VGGFeatures', 'VGG19_FILE', 'vgg_weights_path', 'GANTrainer', 'GANConfig', 'GANResult', 'train_gan',
        'load_generator', 'validate_gan', 'interpolate', 'diagnose', 'perception_distortion_table', 'LossPlot',
        'plot_losses'),
    "zoo": ('available', 'card', 'load', 'upscaler', 'results_table', 'target', 'targets_met', 'psnr_gaps',
        'ZooError', 'ZOO_DIR'),
    "profile": ('count_flops', 'latency_ms', 'cost_table', 'flops_per_output_pixel', 'reference_points', 'pareto_front',
        'quality_cost', 'REFERENCE_FILE', 'COST_COLUMNS'),
    "quantize": ('calibration_patches', 'float_tflite', 'int8_tflite', 'tflite_ops', 'tflite_latency_ms',
        'TFLiteUpscaler', 'quantization_report', 'DEFAULT_INPUT_SIZE', 'RUNTIME'),
    "interpret": ('LAMResult', 'lam', 'diffusion_index', 'gini', 'receptive_field', 'measured_receptive_field', 'receptive_field_table', 'feature_maps', 'degradation_embedding', 'show_attribution', 'embedding_plot', 'EMBEDDING_DEGRADATIONS'),
    "quality": ('niqe', 'mscn', 'patch_features', 'image_features', 'fit_pristine', 'PristineModel', 'pristine_model',
        'PRISTINE_FILE', 'PATCH_SIZE', 'SHARPNESS_THRESHOLD', 'FEATURE_NAMES'),
    "lab": ('Source', 'LabState', 'LabCompareState', 'ABTest', 'LabWidget', 'ABWidget', 'available_methods',
        'bundled_images', 'read_upload', 'read_source', 'process_folder', 'vote_summary', 'read_votes', 'MODES',
        'MIN_LR_SIDE', 'LAB_TILE', 'VOTE_COLUMNS'),
    "widgets": ('CompareState', 'CompareWidget', 'compare', 'ZoomBox', 'to_png', 'BurstState', 'BurstViewer',
        'InterpolationState', 'InterpolationWidget', 'CurvesState', 'CurvesExplorer', 'curves',
        'AttributionState', 'AttributionWidget', 'attribution', 'heat_overlay'),
    "viz": ('image_grid', 'metric_bars', 'show_filters', 'tradeoff_plot', 'perception_distortion_plot', 'gain_plot',
        'quality_cost_plot'),
    "env": ('smoke_mode', 'pick', 'describe', 'start', 'cpu_model'),
    "errors": ('SrkitError', 'ImageReadError', 'ImageTooLargeError', 'DatasetNotFoundError', 'ShapeError',
        'OptionalDependencyError', 'InvalidValueError'),
    "exercises": ('check', 'is_correct', 'feedback', 'solution', 'solutions_folder', 'EXERCISES', 'SOLUTIONS_ENV'),
    "cli": ("main", "build_parser"),
}

__all__ = sorted(API) + ["API", "__version__"]


def __getattr__(name):
    if name in API:
        return importlib.import_module(f"srkit.{name}")
    raise AttributeError(f"module 'srkit' has no attribute {name!r}")
